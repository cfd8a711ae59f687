import { parentPort, workerData } from "node:worker_threads";
import { checkImportFile, type CheckedChunk, type CheckedFile, type CheckFileOptions } from "./check-file";

/**
 * The worker thread that reads and checks an uploaded file
 * (lib/import/file-checker.ts starts it): its own heap and event loop, so
 * parsing, validation and their garbage never pause the server's requests.
 * The file's bytes arrive as messages; checked chunks go back, at most
 * CHUNKS_AHEAD of them ahead of the server's acknowledgements, so the server
 * never queues more rows than it is working on.
 */

export interface CheckWorkerData extends CheckFileOptions {
  byteLength: number;
}

export type ToCheckWorker = { type: "bytes"; chunk: Uint8Array } | { type: "end" } | { type: "ack" };
export type FromCheckWorker = { type: "chunk"; chunk: CheckedChunk } | { type: "done"; result: CheckedFile };

/** Chunks sent and not yet acknowledged, at most. */
const CHUNKS_AHEAD = 4;

const port = parentPort!;
const data = workerData as CheckWorkerData;
const received: Uint8Array[] = [];
let isEnded = false;
let unacknowledged = 0;
let wake: (() => void) | null = null;

port.on("message", (message: ToCheckWorker) => {
  if (message.type === "bytes") received.push(message.chunk);
  else if (message.type === "end") isEnded = true;
  else unacknowledged -= 1;
  wake?.();
});

const nextMessage = () => new Promise<void>((resolve) => (wake = resolve));

async function* bytes(): AsyncGenerator<Uint8Array> {
  for (;;) {
    const chunk = received.shift();
    if (chunk) yield chunk;
    else if (isEnded) return;
    else await nextMessage();
  }
}

const post = (message: FromCheckWorker) => port.postMessage(message);

async function main() {
  const result = await checkImportFile({
    ...data,
    bytes: bytes(),
    onChunk: async (chunk) => {
      while (unacknowledged >= CHUNKS_AHEAD) await nextMessage();
      unacknowledged += 1;
      post({ type: "chunk", chunk });
    },
  });
  post({ type: "done", result });
  port.close();
}

// An exception ends the thread with an "error" event in the server, which answers 500.
void main();
