import { signOutAction, signOutEverywhereAction } from "@/lib/actions/auth";

/** Who is signed in, their role, and the two ways to sign out. A <details> menu: works without JavaScript and by keyboard. */
export function UserMenu({ viewer, roleLine }: { viewer: { name: string; email: string; orgName: string }; roleLine: string }) {
  return (
    <details data-print="hide" className="group relative ml-auto 2xl:mt-4 2xl:ml-0">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600 [&::-webkit-details-marker]:hidden">
        <span aria-hidden="true" className="inline-flex h-6 w-6 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-700">
          {viewer.name.trim().charAt(0).toUpperCase() || "?"}
        </span>
        <span className="max-w-40 truncate font-medium">{viewer.name}</span>
        <span className="sr-only">, account menu</span>
      </summary>
      <div className="absolute right-0 z-20 mt-1 w-64 rounded-md border border-slate-200 bg-white p-3 text-sm shadow-lg 2xl:left-0 2xl:right-auto">
        <p className="font-medium text-slate-900">{viewer.name}</p>
        <p className="truncate text-xs text-slate-500">{viewer.email}</p>
        <p className="mt-1 text-xs text-slate-600" data-testid="role-line">
          {roleLine} · {viewer.orgName}
        </p>
        <div className="mt-3 flex flex-col gap-1 border-t border-slate-100 pt-2">
          <form action={signOutAction}>
            <button type="submit" className="w-full rounded px-2 py-1 text-left text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600">
              Sign out
            </button>
          </form>
          <form action={signOutEverywhereAction}>
            <button type="submit" className="w-full rounded px-2 py-1 text-left text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600">
              Sign out everywhere
              <span className="block text-xs text-slate-500">Ends your sessions on every device</span>
            </button>
          </form>
        </div>
      </div>
    </details>
  );
}
