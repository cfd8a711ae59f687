/**
 * An expected start-up failure: printed as one line naming the problem and
 * the fix, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** Runs a script's main function; expected failures print one line and exit 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof StartupError) {
      console.error(`burnrate: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  });
}
