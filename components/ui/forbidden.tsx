import type { Route } from "next";
import Link from "next/link";

/**
 * What a page shows someone who may see that the thing exists but may not do
 * this (a "forbidden" refusal from lib/access/policy.ts): what it takes, and
 * the way back. Pages render it through app/_access/denied.tsx.
 */
export function Forbidden({ message, backHref = "/", backLabel = "Back to the overview" }: { message: string; backHref?: string; backLabel?: string }) {
  return (
    <div role="alert" className="mx-auto mt-16 max-w-lg text-center">
      <h1 className="text-lg font-semibold">You don&apos;t have access to this</h1>
      <p className="mt-1 text-sm text-slate-600">{message} Ask an org admin if you need it.</p>
      <Link href={backHref as Route} className="mt-4 inline-block text-sm font-medium text-blue-700 underline">
        {backLabel}
      </Link>
    </div>
  );
}
