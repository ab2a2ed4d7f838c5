import { STATUS_CODES } from 'node:http';

/** The error body of every response (API.md "Common rules"). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

export function apiError(statusCode: number, message: string, details?: unknown): ApiErrorBody {
  const body: ApiErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  return body;
}
