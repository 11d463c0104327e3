/**
 * The CLI's one Ctrl-C handling (run, compare, eval): the first SIGINT or SIGTERM says what happens and aborts the
 * returned signal, so the work in progress ends cleanly (traces and finished results are written); a second one exits
 * at once without waiting for that cleanup. `release` removes the handlers when the work is over.
 */
export function onInterrupt(message: string): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  let interrupted = false;
  const handler = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nsmoa: ${message}\n`);
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
