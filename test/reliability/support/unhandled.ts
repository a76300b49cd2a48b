/** The real process: under Jest, `process` is a sandbox copy (see host-process.environment.js). */
const host: NodeJS.Process = (globalThis as { __hostProcess?: NodeJS.Process }).__hostProcess ?? process;

/**
 * Counts `unhandledRejection` (and `uncaughtExceptionMonitor`) events of this process while
 * armed, keeping the first reasons. The soak asserts the count is 0; a self-test proves it fires.
 */
export function trackUnhandled(): { readonly count: number; readonly reasons: string[]; stop(): void } {
  const reasons: string[] = [];
  let count = 0;
  const onRejection = (reason: unknown) => {
    count++;
    if (reasons.length < 5)
      reasons.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  };
  const onException = (error: Error) => onRejection(error);
  host.on('unhandledRejection', onRejection);
  host.on('uncaughtExceptionMonitor', onException);
  return {
    get count() {
      return count;
    },
    reasons,
    stop() {
      host.off('unhandledRejection', onRejection);
      host.off('uncaughtExceptionMonitor', onException);
    },
  };
}
