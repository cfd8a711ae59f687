"use client";

// Errors in the root layout (it reads the session from PostgreSQL): the same error screen in a document of its own.
import { ErrorState } from "@/components/layout/error-state";
import "./globals.css";

export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Burnrate</title>
        <main id="main" className="min-w-0 px-4 py-5">
          <ErrorState error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
