import { HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import type { AuditService } from '@pcp/http';
import type {
  AuditEventFilters,
  StoreAnchorPage,
  StoreAudit,
  StoreBundlePart,
  StoreEventPage,
  StoreVerification,
} from './store-audit';

/** Every store an aggregated audit covers: this service's own, then those of AUDIT_SERVICES. */
export const AUDIT_SOURCES = Symbol('AUDIT_SOURCES');

export interface ListPageQuery {
  limit?: number;
  cursor?: string;
}

/**
 * One service's store as the audit reads it. `authorization` is the auditor's own header:
 * a remote service checks the same token, so nobody reads more through the pipeline than
 * they could read from the service itself.
 */
export interface AuditSource {
  /** The service's name (a context's name, or `platform` for the embedded one). */
  readonly name: string;
  events(
    filters: AuditEventFilters,
    page: ListPageQuery,
    authorization?: string,
  ): Promise<StoreEventPage>;
  verify(streamId: string | undefined, authorization?: string): Promise<StoreVerification>;
  anchors(page: ListPageQuery, authorization?: string): Promise<StoreAnchorPage>;
  bundlePart(streamIds: string[], authorization?: string): Promise<StoreBundlePart>;
}

/** This service's own store, read in process. */
export class LocalAuditSource implements AuditSource {
  constructor(private readonly audit: StoreAudit) {}

  get name(): string {
    return this.audit.source;
  }

  events(filters: AuditEventFilters, page: ListPageQuery) {
    return this.audit.events(filters, page);
  }

  verify(streamId: string | undefined) {
    return this.audit.verify(streamId);
  }

  anchors(page: ListPageQuery) {
    return this.audit.anchors(page);
  }

  bundlePart(streamIds: string[]) {
    return this.audit.bundlePart(streamIds);
  }
}

const TIMEOUT_MS = 30_000;

type Query = Record<string, string | number | string[] | undefined>;

/** Another service's store, read over its `/internal/audit` routes. */
export class RemoteAuditSource implements AuditSource {
  readonly name: string;
  private readonly base: string;

  constructor(service: AuditService) {
    this.name = service.context;
    this.base = service.url.replace(/\/+$/, '');
  }

  events(filters: AuditEventFilters, page: ListPageQuery, authorization?: string) {
    return this.get<StoreEventPage>('events', { ...filters, ...page }, authorization);
  }

  // The source is named as configured, whatever the service calls itself.
  async verify(streamId: string | undefined, authorization?: string) {
    const found = await this.get<StoreVerification>('verify', { streamId }, authorization);
    return { ...found, source: this.name };
  }

  async anchors(page: ListPageQuery, authorization?: string) {
    const found = await this.get<StoreAnchorPage>('anchors', { ...page }, authorization);
    return { ...found, source: this.name };
  }

  async bundlePart(streamIds: string[], authorization?: string) {
    const found = await this.get<StoreBundlePart>(
      'streams',
      { streamId: streamIds },
      authorization,
    );
    return { ...found, source: this.name };
  }

  private async get<T>(path: string, query: Query, authorization?: string): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
    }
    const url = `${this.base}/internal/audit/${path}${params.size > 0 ? `?${params}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: authorization ? { Authorization: authorization } : {},
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw this.unavailable(error instanceof Error ? error.message : String(error));
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw this.unavailable(`answered ${res.status} without JSON`);
    }
    if (res.ok) return body as T;
    // The caller's own mistakes (a bad filter, an unknown stream) come back as they are; a
    // refused token means the services disagree on who is an auditor, which is not the caller's.
    if (res.status === HttpStatus.BAD_REQUEST || res.status === HttpStatus.NOT_FOUND) {
      const message = (body as { message?: unknown } | null)?.message;
      throw new HttpException(
        {
          statusCode: res.status,
          error: res.statusText,
          message: typeof message === 'string' ? message : `The ${this.name} service refused`,
        },
        res.status,
      );
    }
    throw this.unavailable(`answered ${res.status}`);
  }

  private unavailable(reason: string): ServiceUnavailableException {
    return new ServiceUnavailableException(
      `The audit of the ${this.name} service is unavailable (${reason}); the answer would be incomplete`,
    );
  }
}
