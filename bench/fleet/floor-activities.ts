/** The floor workflow's only activity: does nothing, as fast as Temporal lets it (bench/fleet/floor-workflow.ts). */
export interface FloorActivities {
  noop(name: string): Promise<void>;
}

export const floorActivities: FloorActivities = {
  async noop() {},
};
