import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { RequestValidationError, type FieldError } from '../errors/validation';

/** Deeper than any request body of the API (the deepest holds objects in arrays in objects). */
export const MAX_JSON_DEPTH = 16;

/** Keys that address an object's prototype when copied onto another object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first problem of a parsed JSON body: nesting deeper than MAX_JSON_DEPTH, a key that
 * could reach a prototype when the body is copied into an object, or a number too large to
 * be held exactly (`1e400` parses as Infinity), or text that no store can keep (PostgreSQL
 * refuses NUL characters and unpaired surrogates). Iterative, so that a hostile depth
 * cannot exhaust the stack here.
 */
export function screenJsonBody(body: unknown): FieldError | null {
  const pending: { value: unknown; path: string[] }[] = [{ value: body, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === 'number' && !(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      return {
        field: path.join('.'),
        constraints: {
          numberRange: `numbers may be at most ${Number.MAX_SAFE_INTEGER} in size`,
        },
      };
    }
    if (typeof value === 'string' && !storableText(value)) {
      return {
        field: path.join('.'),
        constraints: {
          text: 'text may not hold NUL characters or unpaired surrogates (\\u0000, \\ud800)',
        },
      };
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      return {
        field: path.join('.'),
        constraints: {
          maxDepth: `the request body may nest at most ${MAX_JSON_DEPTH} levels deep`,
        },
      };
    }
    for (const key of Object.keys(value)) {
      const childPath = [...path, key];
      if (PROTOTYPE_KEYS.has(key) || !storableText(key)) {
        return {
          field: childPath.join('.'),
          constraints: { forbiddenKey: `${key} is not an accepted field name` },
        };
      }
      pending.push({ value: (value as Record<string, unknown>)[key], path: childPath });
    }
  }
  return null;
}

function storableText(text: string): boolean {
  // String.prototype.isWellFormed (ES2024) is in Node 20+, not yet in the compiler's lib.
  return !text.includes('\u0000') && (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Refuses (400, naming the field) a parsed JSON body that screenJsonBody finds fault with. */
@Injectable()
export class JsonBodyScreen implements NestMiddleware {
  use(req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: () => void): void {
    const problem = screenJsonBody(req.body);
    if (problem) throw new RequestValidationError([problem]);
    next();
  }
}
