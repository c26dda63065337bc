/**
 * Summary lines of the resilience suite ("area: figures"), written straight to stdout so they
 * stand out of jest's output and can be quoted as measured.
 */
export function report(area: string, figures: string): void {
  process.stdout.write(`\n${area}: ${figures}\n`);
}
