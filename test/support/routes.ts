import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AUTH_ROLES_KEY, IS_PUBLIC_KEY } from '../../libs/auth/src/common/auth-metadata';

export interface RouteAccess {
  route: string;
  access: 'public' | 'guarded' | 'unmarked';
}

/** Every controller route of the app with how it is marked: `@Public()`, `@Authenticated()`, or neither. */
export function listRouteAccess(app: INestApplication): RouteAccess[] {
  const routes: RouteAccess[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (controller) routes.push(...routeAccessOf(controller));
    }
  }
  return routes;
}

/** The routes of one controller class with how each is marked, read from its metadata alone. */
export function routeAccessOf(controller: new (...args: never[]) => object): RouteAccess[] {
  const routes: RouteAccess[] = [];
  const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (
      name === 'constructor' ||
      typeof handler !== 'function' ||
      !Reflect.hasMetadata(PATH_METADATA, handler)
    )
      continue;
    const isPublic =
      Reflect.getMetadata(IS_PUBLIC_KEY, handler) ?? Reflect.getMetadata(IS_PUBLIC_KEY, controller);
    const roles =
      Reflect.getMetadata(AUTH_ROLES_KEY, handler) ??
      Reflect.getMetadata(AUTH_ROLES_KEY, controller);
    const method = Number(Reflect.getMetadata(METHOD_METADATA, handler));
    routes.push({
      route: `${method} /${prefix}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`.replace(
        /\/+/g,
        '/',
      ),
      access: isPublic === true ? 'public' : Array.isArray(roles) ? 'guarded' : 'unmarked',
    });
  }
  return routes;
}
