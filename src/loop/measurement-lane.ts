/**
 * One machine measures one comparison at a time. A generation's siblings (`run --parallel`) build
 * and test side by side (`shared`), but a comparison — and anything that runs the best, whose
 * checkout they all share — holds the lane alone (`exclusive`): it waits for the builds and tests
 * running, and new ones wait for it, so no sibling's work runs beside a benchmark. A waiting
 * exclusive holder goes before shared ones that came after it, so measurements are not starved.
 */
export class MeasurementLane {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waiting: { exclusive: boolean; start: () => void }[] = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.hold(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.hold(true, work);
  }

  private async hold<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    if (!this.canStart(exclusive) || this.waiting.length > 0) {
      await new Promise<void>((start) => this.waiting.push({ exclusive, start }));
    } else {
      this.take(exclusive);
    }
    try {
      return await work();
    } finally {
      if (exclusive) this.exclusiveHeld = false;
      else this.sharedHolders--;
      this.admit();
    }
  }

  private canStart(exclusive: boolean): boolean {
    return exclusive ? !this.exclusiveHeld && this.sharedHolders === 0 : !this.exclusiveHeld;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = true;
    else this.sharedHolders++;
  }

  /** Starts waiting holders in arrival order, as many as may run together. */
  private admit(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as { exclusive: boolean; start: () => void };
      if (!this.canStart(next.exclusive)) return;
      this.waiting.shift();
      this.take(next.exclusive);
      next.start();
      if (next.exclusive) return;
    }
  }
}

/** The lane of one candidate at a time: nothing runs beside it, so nothing waits. */
export const SOLE_LANE = {
  shared: <T>(work: () => Promise<T>) => work(),
  exclusive: <T>(work: () => Promise<T>) => work(),
} satisfies Pick<MeasurementLane, "shared" | "exclusive">;

export type Lane = Pick<MeasurementLane, "shared" | "exclusive">;

/** A generation's lane, or none when one candidate is evaluated at a time. */
export function laneOf(env: { generation?: { lane: Lane } }): Lane {
  return env.generation?.lane ?? SOLE_LANE;
}
