"use client";

import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div role="alert" className="mx-auto mt-16 max-w-lg rounded-lg border border-red-200 bg-white p-6">
      <h1 className="text-lg font-semibold text-red-800">Something went wrong</h1>
      <p className="mt-1 text-sm text-slate-700">
        This page could not be loaded. The error has been logged on the server.
        {error.digest ? <span className="block text-xs text-slate-500">Reference: {error.digest}</span> : null}
      </p>
      <button type="button" onClick={reset} className="mt-4 rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Try again
      </button>
    </div>
  );
}
