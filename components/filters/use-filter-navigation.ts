"use client";

import { usePathname, useRouter } from "next/navigation";
import type { Route } from "next";
import { useTransition, type FormEvent } from "react";

/**
 * Submits a GET filter form as a client-side navigation, so the filters live
 * in the URL and history entries belong to the app router (a native GET
 * submit is a full page load, and Back would restore the form as it was left,
 * not as the URL says). Without JavaScript the form still submits natively.
 */
export function useFilterNavigation() {
  const router = useRouter();
  const pathname = usePathname();
  // Pages read their data before rendering (so errors answer 5xx), so the old
  // view stays until the new one is ready: the pending state says it is coming.
  const [isPending, startTransition] = useTransition();
  const navigate = (form: HTMLFormElement) => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && value !== "" && !(name === "tz" && value === "org")) params.set(name, value);
    }
    if (params.get("range") !== "custom") {
      params.delete("from");
      params.delete("to");
    }
    params.delete("page");
    const query = params.toString();
    startTransition(() => router.push(`${pathname}${query ? `?${query}` : ""}` as Route));
  };
  return {
    isPending,
    onSubmit: (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      navigate(event.currentTarget);
    },
    /** Picking a date makes the range custom; Apply (or Enter) then loads it. */
    onDateChange: (event: { currentTarget: HTMLInputElement }) => {
      const range = event.currentTarget.form?.elements.namedItem("range");
      if (range instanceof HTMLSelectElement) range.value = "custom";
    },
    onChange: (event: { currentTarget: HTMLSelectElement | HTMLInputElement }) => {
      const { form, name, value } = event.currentTarget;
      if (!form || (name === "range" && value === "custom")) return;
      navigate(form);
    },
  };
}
