import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { accessRuleOf, type AccessRule } from '@pcp/auth';

export interface Route {
  method: string;
  /** Express style: `/needs/:id/validate`. */
  path: string;
  controller: string;
  handler: string;
  rule: AccessRule;
}

/**
 * Every HTTP route the application serves, read from the controllers' own metadata (the
 * same the router and the guard read), with its declared access rule.
 */
export function routeCatalogue(app: INestApplication): Route[] {
  const modules = app.get(ModulesContainer);
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  const wrappers = [...modules.values()].flatMap((m) => [...m.controllers.values()]);
  for (const wrapper of wrappers) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
    if (!controller) continue;
    const prefixes = asArray(Reflect.getMetadata(PATH_METADATA, controller) as string | string[]);
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      for (const prefix of prefixes) {
        for (const path of asArray(paths)) {
          routes.push({
            method: RequestMethod[method],
            path: joinPath(prefix, path),
            controller: controller.name,
            handler: name,
            rule: accessRuleOf(handler, controller),
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return ['/'];
  return Array.isArray(value) ? value : [value];
}

function joinPath(prefix: string, path: string): string {
  const parts = [prefix, path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  return `/${parts.join('/')}`;
}

/** The rule in a few words, for the printed matrix. */
export function describeRule(rule: AccessRule): string {
  switch (rule.kind) {
    case 'public':
      return 'public';
    case 'any-role':
      return 'any role';
    case 'roles':
      return rule.roles.join('|');
    case 'undeclared':
      return 'UNDECLARED';
  }
}
