"use client";

import { usePathname, useRouter } from "next/navigation";
import type { Route } from "next";
import type { FormEvent } from "react";

/**
 * Submits a GET filter form as a client-side navigation, so the filters live
 * in the URL and history entries belong to the app router (a native GET
 * submit is a full page load, and Back would restore the form as it was left,
 * not as the URL says). Without JavaScript the form still submits natively.
 */
export function useFilterNavigation() {
  const router = useRouter();
  const pathname = usePathname();
  const navigate = (form: HTMLFormElement) => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && value !== "") params.set(name, value);
    }
    if (params.get("range") !== "custom") {
      params.delete("from");
      params.delete("to");
    }
    params.delete("page");
    const query = params.toString();
    router.push(`${pathname}${query ? `?${query}` : ""}` as Route);
  };
  return {
    onSubmit: (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      navigate(event.currentTarget);
    },
    onChange: (event: { currentTarget: HTMLSelectElement | HTMLInputElement }) => {
      const { form, name, value } = event.currentTarget;
      if (!form || (name === "range" && value === "custom")) return;
      navigate(form);
    },
  };
}
