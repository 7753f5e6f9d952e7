/**
 * `work`, or a rejection with `timedOut()` once `ms` have passed, whichever comes first. The
 * work itself goes on (a query cannot be taken back from a server that stopped answering): only
 * the caller stops waiting for it.
 */
export function within<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: Error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
