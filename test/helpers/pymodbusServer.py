"""An independent Modbus RTU slave for the peer tests, built on Debian's python3-pymodbus (3.0 API).

Usage: /usr/bin/python3 pymodbusServer.py DEVICE [--unit N] [--coils N] [--baud N]

Serves N coils (addresses 0..N-1) for one unit id on a serial device (a socat pty end). Prints one
JSON object per line on stdout, so a test can assert exactly what a master did:
  {"event": "ready", "device": ..., "unit": ..., "coils": ...}   once the port is open and served
  {"event": "rx", "hex": "0105..."}                                every chunk of bytes read
  {"event": "write", "fc": 5, "address": 0, "value": true}        every coil write the datastore takes
Exits when stdin closes (the test runner died) or on SIGTERM.
"""

import argparse
import asyncio
import json
import signal
import sys

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSingleRequestHandler, StartAsyncSerialServer


def emit(record):
    """One JSON line on stdout, flushed at once: the test reads it while we keep running."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


class LoggingCoils(ModbusSequentialDataBlock):
    """Coils that report every write; only the write functions (5, 15) call setValues."""

    def setValues(self, address, values):  # noqa: N802 (pymodbus' name)
        values = values if isinstance(values, list) else [values]
        for offset, value in enumerate(values):
            fc = 5 if len(values) == 1 else 15
            emit({"event": "write", "fc": fc, "address": address + offset, "value": bool(value)})
        super().setValues(address, values)


class LoggingHandler(ModbusSingleRequestHandler):
    """The stock serial handler, also logging raw bytes so ignored frames are visible too."""

    def data_received(self, data):
        emit({"event": "rx", "hex": data.hex()})
        super().data_received(data)


async def serve(args):
    coils = LoggingCoils(0, [False] * args.coils)
    # zero_mode: protocol address 0 is datastore address 0 (no +1 shift), so `coils` means 0..N-1.
    slave = ModbusSlaveContext(co=coils, zero_mode=True)
    # single=False: only args.unit is served; requests for other units are dropped by the framer.
    context = ModbusServerContext(slaves={args.unit: slave}, single=False)
    # pymodbus 3.0 defaults the serial server to the ASCII framer: RTU must be asked for.
    server = await StartAsyncSerialServer(
        context=context,
        framer=ModbusRtuFramer,
        port=args.device,
        baudrate=args.baud,
        bytesize=8,
        parity="N",
        stopbits=1,
        timeout=0.1,
        handler=LoggingHandler,
        ignore_missing_slaves=True,
        defer_start=True,
    )
    await server.start()
    if server.transport is None:
        # start() logs and swallows some open errors: say so instead of serving nothing.
        sys.stderr.write(f"could not open {args.device}\n")
        return 1
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def finish():
        if not done.done():
            done.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, finish)
    loop.add_signal_handler(signal.SIGINT, finish)

    def stdin_readable():
        if not sys.stdin.buffer.read1(4096):
            finish()

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    emit({"event": "ready", "device": args.device, "unit": args.unit, "coils": args.coils})
    await done
    loop.remove_reader(sys.stdin.fileno())
    await server.shutdown()
    return 0


def main():
    parser = argparse.ArgumentParser(description="pymodbus RTU slave for accessgw peer tests")
    parser.add_argument("device")
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--coils", type=int, default=8)
    parser.add_argument("--baud", type=int, default=9600)
    sys.exit(asyncio.run(serve(parser.parse_args())))


if __name__ == "__main__":
    main()
