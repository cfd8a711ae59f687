import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type Viewer } from "@/lib/access/viewer";
import { createPrismaClient, type PrismaClient } from "@/lib/db/create-client";
import { previewImport } from "@/lib/db/mutations/imports";
import { MAX_IMPORT_BYTES, MAX_LISTED_ERRORS } from "@/lib/import/kinds";
import { readImportRequest } from "./imports";

// The import routes' body reading and the bounds of what they answer, against
// a real database: everything judged without the body is answered before it
// is read, a body is read only up to the limit, a garbage body is refused on
// its first bytes, error lists stay short whatever the file, and checking a
// large file lets the event loop run. Nothing here measures time.

let sql: pg.Client;
let prisma: PrismaClient;
let viewer: Viewer;

const HEADER = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status";
const row = (team: string, i: number) => `${team},run-${i},llama-3-8b,LoRA,BF16,H100 80GB,aws,On-demand,8,2026-10-01 09:00,2026-10-01 17:30,Succeeded`;
const URL_BASE = "http://localhost/api/imports/preview?kind=training-runs&timeZone=UTC&fileName=runs.csv";

/** A body that hands out `chunks` one per read and records how many were asked for (no read-ahead). */
function countingBody(chunks: Uint8Array[]) {
  const state = { pulls: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[state.pulls];
        state.pulls += 1;
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, state };
}

function post(body: BodyInit | null, headers: Record<string, string> = { "content-type": "text/csv" }) {
  return new Request(URL_BASE, { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

async function refusal(request: Request) {
  const read = await readImportRequest(request, viewer);
  if (read.ok) throw new Error("expected a refusal");
  const response = read.response as Response;
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { error?: { code: string; message: string }; status?: string; message?: string } };
}

/** Counts turns of the event loop (setImmediate callbacks) while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let isDone = false;
  const tick = () => {
    if (isDone) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await work(), turns };
  } finally {
    isDone = true;
  }
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  prisma = createPrismaClient(process.env.DATABASE_URL!);
  const one = async (text: string, values: unknown[] = []) => (await sql.query<{ id: number }>(text, values)).rows[0]!.id;
  const orgId = await one(`insert into orgs (slug, name, "timeZone") values ('mine', 'mine', 'UTC') returning id`);
  const userId = await one(`insert into users ("orgId", email, name, role) values ($1, 'a@x', 'Ada', 'ADMIN') returning id`, [orgId]);
  await one(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 'research', 'research', 1000, 'UTC', now()) returning id`, [orgId]);
  await one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100 80GB', 80, 989.5, 3350) returning id`, [orgId]);
  viewer = makeViewer({ userId, orgId, orgName: "mine", orgTimeZone: "UTC", role: "ADMIN", name: "Ada" });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await sql?.end();
});

describe("the body is judged before and as it is read", () => {
  it("refuses a non-CSV content type (415) and a missing or empty body (400) without reading anything", async () => {
    for (const type of ["application/json", "multipart/form-data; boundary=x", "image/png"]) {
      const { body, state } = countingBody([new TextEncoder().encode(`${HEADER}\n`)]);
      const answer = await refusal(post(body, { "content-type": type }));
      expect(answer.status).toBe(415);
      expect(answer.body.error?.message).toMatch(/^Send the CSV file itself as the request body, with content type text\/csv/);
      expect(state.pulls).toBe(0);
    }
    expect((await refusal(post(null))).status).toBe(400);
    const empty = await refusal(post(new Uint8Array()));
    expect(empty).toMatchObject({ status: 400, body: { error: { message: "The request has no file: send the CSV file as the request body." } } });
  });

  it("refuses a declared length over the limit (413) without reading the body", async () => {
    const { body, state } = countingBody([new Uint8Array(1024)]);
    const request = new Request(URL_BASE, { method: "POST", body, headers: { "content-type": "text/csv", "content-length": String(MAX_IMPORT_BYTES + 1) }, duplex: "half" } as RequestInit);
    const answer = await refusal(request);
    expect(answer.status).toBe(413);
    expect(answer.body.error?.message).toMatch(/^The file is 50 MB; the limit is 50 MB/);
    expect(state.pulls).toBe(0);
  });

  it("stops reading an undeclared body at the first chunk past the limit (413)", async () => {
    const chunk = new TextEncoder().encode(`${HEADER}\n`.padEnd(1024 * 1024, "x"));
    const { body, state } = countingBody(Array.from({ length: 80 }, () => chunk));
    const answer = await refusal(post(body));
    expect(answer.status).toBe(413);
    expect(answer.body.error?.message).toBe("The file is larger than the 50 MB limit. Split it into smaller files and import them one after another.");
    expect(state.pulls).toBe(MAX_IMPORT_BYTES / chunk.length + 1);
  });

  it("refuses a workbook, UTF-16 and binary garbage (422) on the first chunk, without reading the rest", async () => {
    const garbage = new Uint8Array(64 * 1024).map((_, i) => (i * 7919 + 13) % 256);
    const workbook = new Uint8Array(4096);
    workbook.set([0x50, 0x4b, 0x03, 0x04]);
    const utf16 = new Uint8Array([..."team,name\n".repeat(200)].flatMap((c) => [c.charCodeAt(0), 0]));
    for (const [first, message] of [
      [garbage, /^The file is not valid UTF-8: byte 2 \(line 1\)/],
      [workbook, /^This is an Excel or OpenDocument workbook/],
      [utf16, /^The file looks like UTF-16 text/],
    ] as const) {
      const { body, state } = countingBody([first, ...Array.from({ length: 40 }, () => new Uint8Array(1024 * 1024))]);
      const answer = await refusal(post(body));
      expect(answer.status).toBe(422);
      // The preview's own shape for a refused file, which the import page shows as it is.
      expect(answer.body).toEqual({ status: "invalid-file", message: expect.stringMatching(message) });
      expect(state.pulls).toBe(1);
    }
  });
});

describe("what the preview answers stays short", () => {
  it("counts every problem and lists the first hundred", async () => {
    const text = [HEADER, ...Array.from({ length: 5_000 }, (_, i) => row(`nobody-${i}`, i))].join("\n");
    const read = await readImportRequest(post(new TextEncoder().encode(text)), viewer);
    if (!read.ok) throw new Error("expected the file to be read");
    const preview = await previewImport({ client: prisma, viewer, file: read.file });
    if (preview.status !== "checked") throw new Error(`expected a checked preview, got ${preview.status}`);
    expect(preview.errorCount).toBe(5_000);
    expect(preview.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(preview.errors[0]).toMatchObject({ row: 2, column: "team", message: expect.stringMatching(/^No team "nobody-0" in this organization/) });
    expect(JSON.stringify(preview).length).toBeLessThan(40_000);
  });

  it("answers a 100,000-column header, a blank-line flood and an over-long cell with one short message", async () => {
    const files = [
      `${Array.from({ length: 100_000 }, (_, i) => `column_${i}`).join(",")}\n${row("research", 1)}\n`,
      `${HEADER}\n${row("research", 1)}\n${"\n".repeat(1024 * 1024)}`,
      `${HEADER},notes\n${row("research", 1)},${"n".repeat(20_000)}\n`,
    ];
    for (const text of files) {
      const read = await readImportRequest(post(new TextEncoder().encode(text)), viewer);
      if (!read.ok) throw new Error("expected the body to be read");
      const preview = await previewImport({ client: prisma, viewer, file: read.file });
      expect(preview).toMatchObject({ status: "invalid-file" });
      expect(JSON.stringify(preview).length).toBeLessThan(400);
    }
  });
});

describe("checking a large upload lets other requests run", () => {
  it("turns the event loop at least once per 64 KB while a 6 MB file is read and checked", { timeout: 120_000 }, async () => {
    const text = [HEADER, ...Array.from({ length: 60_000 }, (_, i) => row("research", i))].join("\n");
    const bytes = new TextEncoder().encode(text);
    const { result, turns } = await turnsDuring(async () => {
      const read = await readImportRequest(post(bytes), viewer);
      if (!read.ok) throw new Error("expected the file to be read");
      return previewImport({ client: prisma, viewer, file: read.file });
    });
    expect(result).toMatchObject({ status: "checked", rowCount: 60_000, errorCount: 0, counts: { new: 60_000 } });
    expect(turns).toBeGreaterThanOrEqual(Math.floor(bytes.length / (64 * 1024)));
  });
});
