import { Worker } from "node:worker_threads";
import { checkImportFile, type CheckedChunk, type CheckedFile, type CheckFileOptions } from "./check-file";
import type { CheckWorkerData, FromCheckWorker, ToCheckWorker } from "./check-worker";

/**
 * Checks an uploaded file off the server's main thread: a worker thread
 * (check-worker.ts) parses and validates it, and `onChunk` receives the valid
 * rows a thousand at a time, in order. The next chunk is handed over only
 * once `onChunk` has settled, and the worker stays at most a few chunks
 * ahead, so memory is bounded by what `onChunk` holds. Files under
 * IN_PROCESS_BYTES are checked in this thread (starting a worker costs more
 * than they do).
 */

/** Smaller files are checked in-process: a few thousand rows at most. */
export const IN_PROCESS_BYTES = 1024 * 1024;
/** Bytes per message to the worker. */
const MESSAGE_BYTES = 1024 * 1024;
/** The worker's heap: a piece of rows, the file's keys (for repeats) and its bytes fit well within it. */
const WORKER_HEAP_MB = 256;

/**
 * In the Next server (`next build`, `next dev`) Turbopack bundles the worker
 * from `new Worker("<path from the project root>", { … })` into a chunk of
 * its own and rewrites the call (the options must be written out there for
 * it to see the call). Elsewhere (Vitest, tsx scripts) this module and the
 * worker are TypeScript source, and Node 20 applies no loader to a worker's
 * entry, so a small script loads it through tsx.
 */
function startWorker(workerData: CheckWorkerData): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
  if (process.env.NEXT_RUNTIME) return new Worker("./lib/import/check-worker.ts", { workerData, resourceLimits });
  const entry = JSON.stringify(import.meta.url.replace(/file-checker\.tsx?$/, "check-worker.ts"));
  return new Worker(/* turbopackIgnore: true */ `import("tsx/esm/api").then(({ tsImport }) => tsImport(${entry}, ${entry}));`, { workerData, resourceLimits, eval: true });
}

export async function checkFileOffThread({
  bytes,
  onChunk,
  inProcessBytes = IN_PROCESS_BYTES,
  ...options
}: CheckFileOptions & { bytes: Uint8Array; onChunk: (chunk: CheckedChunk) => Promise<void>; inProcessBytes?: number }): Promise<CheckedFile> {
  if (bytes.length < inProcessBytes) return checkImportFile({ ...options, bytes, byteLength: bytes.length, onChunk });
  const worker = startWorker({ ...options, byteLength: bytes.length });
  const send = (message: ToCheckWorker, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);
  return new Promise<CheckedFile>((resolve, reject) => {
    let isSettled = false;
    let handling = Promise.resolve();
    const settle = (finish: () => void) => {
      if (isSettled) return;
      isSettled = true;
      finish();
      void worker.terminate();
    };
    const fail = (error: unknown) => settle(() => reject(error));
    worker.on("message", (message: FromCheckWorker) => {
      handling = handling
        .then(async () => {
          if (isSettled) return;
          if (message.type === "done") return settle(() => resolve(message.result));
          await onChunk(message.chunk);
          if (!isSettled) send({ type: "ack" });
        })
        .catch(fail);
    });
    worker.on("error", fail);
    // After the messages sent before it (a worker that has sent its result has nothing more to say).
    worker.on("exit", (code) => {
      handling = handling.then(() => fail(new Error(`The import check's worker thread stopped (exit code ${code}).`)));
    });
    void (async () => {
      // A copy of each megabyte is moved to the worker, with a turn of the event loop between.
      for (let offset = 0; offset < bytes.length && !isSettled; offset += MESSAGE_BYTES) {
        const chunk = bytes.slice(offset, offset + MESSAGE_BYTES);
        send({ type: "bytes", chunk }, [chunk.buffer]);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (!isSettled) send({ type: "end" });
    })();
  });
}
