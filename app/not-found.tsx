import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto mt-16 max-w-lg text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-1 text-sm text-slate-600">There is nothing at this address. It may have been deleted.</p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-blue-700 underline">
        Back to the overview
      </Link>
    </div>
  );
}
