import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { accessRuleOf } from '@pcp/auth';

export interface OpenApiOptions {
  title: string;
  description: string;
  version: string;
}

/** Builds the OpenAPI document of the running app and serves it at /docs and /docs-json. */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  markPublicOperations(app, document);
  documentBodyLimit(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    useGlobalPrefix: false,
  });
  return document;
}

/**
 * The document requires a bearer token everywhere; routes declared `@Public()` say so with
 * `security: []`, so that clients and fuzzers know they answer without one. Operations are
 * matched by their default id, `<Controller>_<method>`.
 */
function markPublicOperations(app: INestApplication, document: OpenAPIObject): void {
  const open = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        if (accessRuleOf(handler, controller).kind === 'public') {
          open.add(`${controller.name}_${method}`);
        }
      }
    }
  }
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const id = (operation as { operationId?: unknown } | undefined)?.operationId;
      if (typeof id === 'string' && open.has(id)) {
        (operation as { security?: unknown[] }).security = [];
      }
    }
  }
}

/**
 * Every request body is refused with 413 beyond the body limit, whatever the route: said once
 * here for every operation that takes a body, in the API error shape.
 */
function documentBodyLimit(document: OpenAPIObject): void {
  const shape = document.components?.schemas?.['ApiErrorResponse']
    ? { $ref: '#/components/schemas/ApiErrorResponse' }
    : { type: 'object' };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const op = operation as { requestBody?: unknown; responses?: Record<string, unknown> };
      if (!op?.requestBody || !op.responses || op.responses['413']) continue;
      op.responses['413'] = {
        description: 'The request body is larger than the limit',
        content: { 'application/json': { schema: shape } },
      };
    }
  }
}
