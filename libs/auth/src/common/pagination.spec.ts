import { toPage, toPageRequest } from './pagination';

describe('pagination', () => {
  it('defaults to page 1 of 30', () => {
    expect(toPageRequest({})).toEqual({ page: 1, pageSize: 30, offset: 0 });
    expect(toPageRequest({ page: 3, page_size: 10 })).toEqual({
      page: 3,
      pageSize: 10,
      offset: 20,
    });
  });

  it('builds the seed-001 body with cursors as indexes in the whole list', () => {
    const page = toPage({ page: 2, pageSize: 2, offset: 2 }, ['c', 'd'], 5);
    expect(page).toEqual({
      page_info: { page: 2, page_size: 2, count: 5, has_next_page: true },
      edges: [
        { cursor: 2, node: 'c' },
        { cursor: 3, node: 'd' },
      ],
    });
    expect(toPage({ page: 3, pageSize: 2, offset: 4 }, ['e'], 5).page_info.has_next_page).toBe(
      false,
    );
  });
});
