"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { Route } from "next";

const ITEMS: { href: Route; label: string }[] = [
  { href: "/", label: "Overview" },
  { href: "/teams", label: "Teams" },
  { href: "/training", label: "Training" },
  { href: "/inference", label: "Inference" },
  { href: "/reports", label: "Reports" },
  { href: "/estimate", label: "Estimate" },
  { href: "/import", label: "Import" },
  { href: "/settings", label: "Settings" },
];

function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The main navigation; Import only for people who may write some team's records. */
export function MainNav({ canImport }: { canImport: boolean }) {
  const pathname = usePathname();
  const items = canImport ? ITEMS : ITEMS.filter((item) => item.href !== "/import");
  return (
    <nav aria-label="Main" data-print="hide" className="flex flex-wrap gap-1 2xl:flex-col 2xl:flex-nowrap">
      {items.map((item) => {
        const active = isActive(pathname, item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium ${
              active ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-200"
            }`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
