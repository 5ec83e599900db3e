#!/usr/bin/env node
// The simulator's entry point: runs the compiled command line (built by `npm ci` through `prepare`).
import { main } from "../dist/firmware-sim/cli.js";

process.exitCode = await main(process.argv.slice(2));
