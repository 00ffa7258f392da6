/** init found no regression test or benchmark: an agent able to write them is asked to. */
export interface InfrastructureRequest {
  root: string;
  goal: string;
  scope: string[];
  metric: { name: string; direction: "lower" | "higher" };
  missing: ("test" | "bench")[];
  /** Propose a behaviour check command too (the user gave none): see CHECK_GUIDANCE. */
  proposeCheck?: boolean;
  /** On the one retry: why what the agent wrote last time failed the dry-run (its output tail). */
  feedback?: string;
}

export interface InfrastructureResult {
  test?: string;
  bench?: string;
  /** The behaviour check proposed when asked for one; optional, so an agent may decline. */
  check?: string;
  /** Files written; they become protected. */
  files: string[];
}

export interface InfrastructureWriter {
  writeInfrastructure(request: InfrastructureRequest): Promise<InfrastructureResult>;
}
