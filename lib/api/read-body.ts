import "server-only";

/**
 * A request body read as it arrives with a byte cap (Next 16 route handlers
 * have no body limit of their own): past `limit` the read stops, the upload
 * is cancelled and `tooLarge()` is the answer. `onChunk` may refuse the body
 * on any chunk (the CSV import's decoder names a workbook or UTF-16 on its
 * first bytes). Used by the CSV import routes and API v1.
 */
export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; response: Response };

export async function readBodyCapped(
  body: ReadableStream<Uint8Array>,
  { limit, tooLarge, onChunk }: { limit: number; tooLarge: () => Response; onChunk?: (chunk: Uint8Array) => Response | null },
): Promise<BodyRead> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > limit) return { ok: false, response: tooLarge() };
      const refused = onChunk?.(value);
      if (refused) return { ok: false, response: refused };
      parts.push(value);
    }
  } finally {
    // Stops the upload (and frees what is buffered) when the read ended early; a no-op after the last chunk.
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return { ok: true, bytes };
}
