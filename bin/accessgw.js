#!/usr/bin/env node
// The published entry point: runs the compiled command line (built by `npm ci` through `prepare`).
import { main } from "../dist/gateway/cli.js";

process.exitCode = await main(process.argv.slice(2));
