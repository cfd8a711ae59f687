"use client";

import { useEffect, useState } from "react";

const POLL_MS = 2000;

type Health = { kind: "checking" } | { kind: "app" } | { kind: "database"; problem: string };

/**
 * The error screen. It asks /api/health why: while PostgreSQL is away it says so
 * and retries the page by itself as soon as the database answers again; any
 * other failure gets the generic message and a "Try again" button.
 */
export function ErrorState({ error, retry }: { error: unknown; retry: () => void }) {
  const [health, setHealth] = useState<Health>({ kind: "checking" });
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;

  useEffect(() => {
    console.error(error);
  }, [error]);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wasDown = false;
    const check = async () => {
      let down: string | null = null;
      try {
        const res = await fetch("/api/health", { cache: "no-store" });
        if (res.status === 503) {
          const body = (await res.json().catch(() => null)) as { database?: { problem?: unknown } } | null;
          down = typeof body?.database?.problem === "string" ? body.database.problem : "unreachable";
        }
      } catch {
        // The app server itself is unreachable (restarting): treat like an outage and keep polling.
        down = "the server is not answering";
      }
      if (cancelled) return;
      if (down !== null) {
        wasDown = true;
        setHealth({ kind: "database", problem: down });
        timer = setTimeout(() => void check(), POLL_MS);
      } else if (wasDown) {
        retry();
      } else {
        setHealth({ kind: "app" });
      }
    };
    void check();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // A new error (a retry that failed again) starts a new check.
  }, [error, retry]);

  if (health.kind === "database") {
    return (
      <div role="alert" data-load-failed="" className="mx-auto mt-16 max-w-lg rounded-lg border border-amber-300 bg-white p-6">
        <h1 className="text-lg font-semibold text-amber-900">Database unavailable, retrying</h1>
        <p className="mt-1 text-sm text-slate-700">
          Burnrate cannot reach its PostgreSQL database ({health.problem}). Nothing is lost: this page reloads by itself as soon as the database is back.
        </p>
      </div>
    );
  }
  return (
    <div role="alert" data-load-failed="" className="mx-auto mt-16 max-w-lg rounded-lg border border-red-200 bg-white p-6">
      <h1 className="text-lg font-semibold text-red-800">Something went wrong</h1>
      <p className="mt-1 text-sm text-slate-700">
        This page could not be loaded. The error has been logged on the server.
        {digest ? <span className="block text-xs text-slate-500">Reference: {digest}</span> : null}
      </p>
      <button type="button" onClick={() => retry()} className="mt-4 rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Try again
      </button>
    </div>
  );
}
