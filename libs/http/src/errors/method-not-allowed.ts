import { METHODS } from 'node:http';

/** What the filter needs of an Express request to find the routes of its path. */
export interface RoutedRequest {
  method?: string;
  path?: string;
  app?: { router?: { stack?: RouterLayer[] } };
}

interface RouterLayer {
  route?: { methods?: Record<string, boolean> };
  match?: (path: string) => unknown;
}

/**
 * The methods the application serves on this request's path, upper case and sorted; empty
 * when no route has the path. A request with another method on a known path is then a 405
 * with `Allow` (RFC 9110), not a 404 that would say the resource does not exist.
 */
export function allowedMethods(request: RoutedRequest): string[] {
  const path = request.path;
  const stack = request.app?.router?.stack;
  if (typeof path !== 'string' || !Array.isArray(stack)) return [];
  const methods = new Set<string>();
  for (const layer of stack) {
    const served = layer.route?.methods;
    if (!served || typeof layer.match !== 'function') continue;
    const names = Object.keys(served).filter((m) => served[m]);
    // A catch-all (a handler for every method) says nothing about what the path serves.
    if (names.includes('_all') || names.length >= METHODS.length / 2) continue;
    if (!layer.match(path)) continue;
    for (const method of names) methods.add(method.toUpperCase());
  }
  return [...methods].sort();
}
