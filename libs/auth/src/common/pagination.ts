import { type Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_SIZE = 100;
/** Past this, `page` is refused: a larger offset overflows the databases' integers (a 500). */
export const MAX_PAGE = 1_000_000;

/** `?page&page_size`: 1-based page, at most 100 items a page. */
export class PageQuery {
  @ApiPropertyOptional({
    description: '1-based page number.',
    default: 1,
    minimum: 1,
    maximum: MAX_PAGE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({
    description: 'Items per page.',
    default: DEFAULT_PAGE_SIZE,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  page_size?: number;
}

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function toPageRequest(query: PageQuery): PageRequest {
  const page = query.page ?? 1;
  const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export class PageInfoDto {
  @ApiProperty({ example: 1 })
  page: number;

  @ApiProperty({ example: 30 })
  page_size: number;

  /** Total number of items in the whole list. */
  @ApiProperty({ example: 1 })
  count: number;

  @ApiProperty({ example: false })
  has_next_page: boolean;
}

export interface Edge<T> {
  cursor: number;
  node: T;
}

export interface Page<T> {
  page_info: PageInfoDto;
  edges: Edge<T>[];
}

/** Builds the seed-001 page body; `cursor` is the item's 0-based index in the whole list. */
export function toPage<T>(request: PageRequest, nodes: T[], count: number): Page<T> {
  return {
    page_info: {
      page: request.page,
      page_size: request.pageSize,
      count,
      has_next_page: request.offset + nodes.length < count,
    },
    edges: nodes.map((node, index) => ({ cursor: request.offset + index, node })),
  };
}

/** A named OpenAPI schema for a page of `itemType`. */
export function PageOf<T>(itemType: ClassType<T>, name: string): ClassType<Page<T>> {
  class EdgeDto {
    @ApiProperty({ example: 0 })
    cursor: number;

    @ApiProperty({ type: itemType })
    node: T;
  }
  Object.defineProperty(EdgeDto, 'name', { value: `${name}Edge` });

  class PageDto {
    @ApiProperty({ type: PageInfoDto })
    page_info: PageInfoDto;

    @ApiProperty({ type: [EdgeDto] })
    edges: Edge<T>[];
  }
  Object.defineProperty(PageDto, 'name', { value: name });
  return PageDto;
}
