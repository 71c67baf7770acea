/**
 * One HTTP attempt at a webhook: POST the body, follow no redirect, give up after the timeout,
 * read at most a short excerpt of the answer. It never throws and never sees the secret (the
 * caller signs); what went wrong comes back as a value for the delivery row.
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string };

/** How much of a failed answer is kept in the delivery row. */
const excerptBytes = 300;

export async function deliverWebhook(
  request: { url: string; body: string; headers: Record<string, string> },
  options: { fetch: FetchLike; timeoutMs: number },
): Promise<AttemptResult> {
  let response: Response;
  try {
    response = await options.fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Smarketing-Webhooks/1',
        ...request.headers,
      },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return { ok: false, status: null, error: describeFailure(error, options.timeoutMs) };
  }
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel().catch(() => {});
    return { ok: true, status: response.status };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => {});
    return {
      ok: false,
      status: response.status,
      error: `HTTP ${response.status}: redirects are not followed`,
    };
  }
  const excerpt = await readExcerpt(response);
  return {
    ok: false,
    status: response.status,
    error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
  };
}

/** The first bytes of the body as one line of text; the rest is discarded unread. */
async function readExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < excerptBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still gives what arrived.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, excerptBytes).toString('utf8');
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\uFFFD$/, '');
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
