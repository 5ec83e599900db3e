/** The simulator (firmware-sim) for tests: built from a sim.yaml text, started, stopped after. */
import { loadSimConfig } from "../../firmware-sim/config.js";
import { Simulator, type SimulatorOptions } from "../../firmware-sim/simulator.js";
import type { Defer } from "./cleanup.js";

/** Starts simulators from the text of a sim.yaml and whatever options the test sets besides. */
export function simulators(defer: Defer) {
  return async (
    text: string,
    options: Partial<Omit<SimulatorOptions, "config">> = {},
  ): Promise<Simulator> => {
    const sim = new Simulator({ config: loadSimConfig("sim.yaml", text), ...options });
    await sim.start();
    defer(() => sim.stop());
    return sim;
  };
}
