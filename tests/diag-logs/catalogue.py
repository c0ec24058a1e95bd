#!/usr/bin/env python3
"""Writes tests/diag-logs/catalogue.tsv: every message OpenOCD 0.5-0.12, the vendor forks users
run and dfu-util 0.9-0.11 print for a root cause the diagnosis engine knows, with where each
version prints it. The whole file is this script's output: change an entry here and
regenerate, never edit the file. The lines of the programs that run OpenOCD (cortex-debug,
PlatformIO, west, gdb, ...) are read by hand in their repositories and kept in
tests/diag-logs/catalogue-front.tsv, which this script does not touch.

Each entry below names the class, whether the message decides it (decisive), is shared by
two causes (shared: the other one in 'alt'), or only follows a cause printed before it
(cascade), the source files that print it, a fixed piece of its format string to find it
by, and the line as a user sees it (format arguments filled in; '\\n' joins the lines a
number is read against). For every release tag the piece is looked up with 'git grep' in
that tag's tree, so a row exists only for the versions whose source prints the message,
with its file:line there (files under tcl/ too); an entry may name older tags ('only') for a
message those releases word otherwise; ST's fork (the OpenOCD of STM32CubeIDE) is
read at its r6 branch for the drivers it adds, Espressif's fork at the tags its rows name,
the other forks (FORKS: Raspberry Pi's, riscv-collab's, Nuclei's, WCH's, Artery's) at the
refs FORKS lists, OpenOCD 0.5-0.8 ('openocd-old') in OpenOCD's own clone. A message may
carry '{release}', the release it is rendered for (OpenOCD's banner line). Needs local
clones of OpenOCD (with its v0.5.0-v0.12.0 tags), dfu-util (v0.9-v0.11), and each fork:

    tests/diag-logs/catalogue.py OPENOCD_GIT_DIR DFU_UTIL_GIT_DIR ST_OPENOCD_GIT_DIR \\
        ESP32_OPENOCD_GIT_DIR RPI_OPENOCD_GIT_DIR RISCV_OPENOCD_GIT_DIR \\
        NUCLEI_OPENOCD_GIT_DIR WCH_OPENOCD_GIT_DIR ARTERY_OPENOCD_GIT_DIR \\
        > tests/diag-logs/catalogue.tsv

(raspberrypi/openocd, riscv-collab/riscv-openocd, riscv-mcu/riscv-openocd,
cjacker/wch-openocd, ArteryTek/openocd on GitHub). An entry whose piece is in no tag is
named on stderr (exit 1) and gives no row. tests/unit/diag/test-diag-catalogue.c feeds
every row of both files to the engine.
"""
import subprocess
import sys

OPENOCD_TAGS = ['v0.9.0', 'v0.10.0', 'v0.11.0', 'v0.12.0']
DFU_TAGS = ['v0.9', 'v0.10', 'v0.11']
ST_TAGS = ['openocd-cubeide-r6']
ESP32_TAGS = ['v0.10.0-esp32-20210401', 'v0.12.0-esp32-20260703']
# The forks users run beyond ST's and Espressif's, each read at the refs its users got (a
# release tag, or the branch its SDK's instructions name), and OpenOCD's releases before 0.9:
# tool: (the argument that names its clone, its refs, the version column of a ref).
FORKS = {
    # OpenOCD 0.5-0.8, from OpenOCD's own clone (first argument)
    'openocd-old': (None, ['v0.5.0', 'v0.6.0', 'v0.7.0', 'v0.8.0'], lambda t: 'openocd-' + t[1:]),
    # Raspberry Pi's: 'picoprobe' (its own picoprobe driver, 2021), 'rp2040-v0.12.0' (the Pico
    # SDK 1.x guide), 'sdk-2.0.0' (Pico 2, RP2350)
    'openocd-rpi': ('RPI_OPENOCD_GIT_DIR', ['picoprobe', 'rp2040-v0.12.0', 'sdk-2.0.0'],
                    lambda t: 'openocd-rpi-' + t),
    # riscv-collab's riscv-openocd: a 2018 snapshot and its 'riscv' branch
    'openocd-riscv': ('RISCV_OPENOCD_GIT_DIR', ['v20180629', 'riscv'],
                      lambda t: 'openocd-riscv-' + t.lstrip('v')),
    # Nuclei's (riscv-mcu/riscv-openocd): GigaDevice's GD32VF103 flash driver
    'openocd-nuclei': ('NUCLEI_OPENOCD_GIT_DIR', ['nuclei-develop'],
                       lambda t: 'openocd-' + t),
    # WCH's (MounRiver's source drop, as cjacker/wch-openocd publishes it): the WCH-LinkE
    # driver wlinke.c and the CH32 flash drivers
    'openocd-wch': ('WCH_OPENOCD_GIT_DIR', ['main'], lambda t: 'openocd-wch-' + t),
    # Artery's (ArteryTek/openocd): the AT32 flash driver at32f4xx.c
    'openocd-artery': ('ARTERY_OPENOCD_GIT_DIR', ['v1.0.0', 'master'],
                       lambda t: 'openocd-artery-' + t.lstrip('v')),
}

STLINK = 'src/jtag/drivers/stlink_usb.c'
LIBUSB = ['src/jtag/drivers/libusb1_common.c', 'src/jtag/drivers/libusb_helper.c']
CMSIS = ['src/jtag/drivers/cmsis_dap_usb.c', 'src/jtag/drivers/cmsis_dap.c',
         'src/jtag/drivers/cmsis_dap_usb_bulk.c', 'src/jtag/drivers/cmsis_dap_usb_hid.c']
JLINK = 'src/jtag/drivers/jlink.c'
MPSSE = 'src/jtag/drivers/mpsse.c'
F1 = 'src/flash/nor/stm32f1x.c'
F2 = 'src/flash/nor/stm32f2x.c'
L4 = 'src/flash/nor/stm32l4x.c'
DFU = ['src/main.c', 'src/dfu_util.c', 'src/dfu_file.c', 'src/dfu_load.c', 'src/dfuse.c']

# (class, kind, alt, level, files, key, message)
E = []


def add(cls, kind, files, key, message, level='Error', alt='-', only=None, tool=None, also=()):
    """ONLY: the tags whose wording MESSAGE is (default: every tag that prints KEY); TOOL:
    'dfu-util' for a dfu-util row whose first line has no 'dfu-util: ' prefix, 'openocd-st'
    for a driver only ST's fork has, 'openocd-esp32' for Espressif's fork, or one of FORKS
    (below); ALSO: more tools (every tag of each) whose source prints the same words. '{release}'
    in MESSAGE is the release the row is rendered for (0.11.0 for tag v0.11.0: OpenOCD's
    banner)."""
    tool = tool or ('dfu-util' if level == 'dfu-util' else 'openocd')
    E.append((cls, kind, alt, level, [files] if isinstance(files, str) else files, key, message,
              only, [tool] + list(also)))


# ---- probe not found
add('probe-not-found', 'decisive', STLINK, '"no ST-LINK detected"', 'no ST-LINK detected')
add('probe-not-found', 'decisive', STLINK, 'ST-LINK open failed (vid/pid mismatch)',
    'ST-LINK open failed (vid/pid mismatch)')
add('probe-not-found', 'decisive', STLINK, 'ST-LINK open failed (serial mismatch)',
    'ST-LINK open failed (serial mismatch)')
add('probe-not-found', 'decisive', STLINK, 'cannot connect to stlink server',
    'cannot connect to stlink server, errno: Connection refused')
add('probe-not-found', 'shared', STLINK, 'LOG_ERROR("open failed")', 'open failed',
    alt='openocd-too-old')
add('probe-not-found', 'shared', CMSIS, 'unable to find CMSIS-DAP device',
    'unable to find CMSIS-DAP device', alt='usb-permission')
add('probe-not-found', 'shared', CMSIS, 'unable to find a matching CMSIS-DAP device',
    'unable to find a matching CMSIS-DAP device', alt='usb-permission')
add('probe-not-found', 'decisive', JLINK, 'Cannot find jlink Interface',
    'Cannot find jlink Interface! Please check connection and permissions.')
add('probe-not-found', 'decisive', JLINK, 'No J-Link device found.")', 'No J-Link device found.')
add('probe-not-found', 'decisive', JLINK, 'No J-Link device found")', 'No J-Link device found')
add('probe-not-found', 'decisive', LIBUSB, 'No device matches the serial string',
    'No device matches the serial string', level='Info')
add('probe-not-found', 'shared', MPSSE, 'no device found', 'no device found',
    alt='probe-driver-missing')
add('probe-not-found', 'decisive', STLINK, 'failed to send USB CMD', 'failed to send USB CMD')
add('probe-not-found', 'decisive', LIBUSB, 'libusb_bulk_write error', 
    'libusb_bulk_write error: LIBUSB_ERROR_NO_DEVICE')
add('probe-not-found', 'shared', STLINK, 'read version failed', 'read version failed',
    alt='probe-driver-missing')

# ---- USB permission
add('usb-permission', 'shared', LIBUSB + [MPSSE], 'libusb_open() failed with',
    'libusb_open() failed with LIBUSB_ERROR_ACCESS', alt='probe-busy')
add('usb-permission', 'shared', CMSIS, 'could not open device 0x%04x:0x%04x',
    'could not open device 0x0d28:0x0204: Access denied (insufficient permissions)',
    alt='probe-busy')
add('usb-permission', 'shared', JLINK, 'Failed to open device: %s.',
    'Failed to open device: LIBUSB_ERROR_ACCESS.', alt='probe-busy')
add('usb-permission', 'shared', CMSIS, 'unable to open CMSIS-DAP device 0x%x:0x%x',
    'unable to open CMSIS-DAP device 0xc251:0xf001', alt='probe-busy')

# ---- probe busy
add('probe-busy', 'decisive', STLINK, 'the selected device is already used',
    'the selected device is already used')
add('probe-busy', 'decisive', CMSIS, 'could not claim interface: %s',
    'could not claim interface: Resource busy', level='Warn')
add('probe-busy', 'decisive', MPSSE, 'libusb_claim_interface() failed with',
    'libusb_claim_interface() failed with LIBUSB_ERROR_BUSY')
add('probe-busy', 'decisive', JLINK, 'Registration failed: maximum number of connections',
    'Registration failed: maximum number of connections on the device reached')

# ---- probe driver missing
add('probe-driver-missing', 'decisive', ['src/jtag/adapter.c', 'src/jtag/interface.c'],
    'The specified debug interface was not found',
    'The specified debug interface was not found (ft2232)')
add('probe-driver-missing', 'decisive', STLINK, 'mode (transport) not supported by device',
    'mode (transport) not supported by device')
add('probe-driver-missing', 'decisive', JLINK, 'Selected transport mode is not supported.',
    'Selected transport mode is not supported.')
add('probe-driver-missing', 'decisive', JLINK, 'Selected transport is not supported by the device',
    'Selected transport is not supported by the device')
add('probe-driver-missing', 'decisive', LIBUSB + [MPSSE], 'libusb_open() failed with',
    'libusb_open() failed with LIBUSB_ERROR_NOT_SUPPORTED')
add('probe-driver-missing', 'shared', MPSSE, 'failed to reset FTDI device',
    'failed to reset FTDI device: LIBUSB_ERROR_IO\\nunable to open ftdi device with vid 0403, '
    'pid 6010, description \'*\', serial \'*\' at bus location \'*\'', alt='probe-not-found')
add('probe-driver-missing', 'shared', CMSIS, 'CMSIS-DAP command CMD_INFO failed.',
    'CMSIS-DAP command CMD_INFO failed.', alt='probe-not-found')

# ---- power
add('target-unpowered', 'decisive', STLINK, 'target voltage may be too low for reliable debugging',
    'target voltage may be too low for reliable debugging')
# A voltage is read against the 1.5 V ST-LINK and J-Link warn at; the failure it explains
# follows it (and must rank below it).
add('target-unpowered', 'decisive', STLINK, 'Target voltage: %f',
    'Target voltage: 0.011834\\nError: init mode failed (unable to connect to the target)',
    level='Info')
add('target-unpowered', 'decisive', JLINK, 'Vref too low. Check Target Power',
    'Vref too low. Check Target Power')
add('target-unpowered', 'decisive', JLINK, 'VTarget = %u.%03u V',
    'VTarget = 0.000 V\\nError: Could not initialize the debug port', level='Info',
    only=['v0.10.0'])
add('target-unpowered', 'decisive', JLINK, 'VTarget = %u.%03u V',
    'VTarget = 0.000 V\\nError: Error connecting DP: cannot read IDR', level='Info',
    only=['v0.11.0', 'v0.12.0'])

# ---- debug port
add('swd-unreachable', 'decisive', STLINK, 'init mode failed (unable to connect to the target)',
    'init mode failed (unable to connect to the target)')
add('swd-unreachable', 'decisive', 'src/target/adi_v5_swd.c', 'Error connecting DP: cannot read IDR',
    'Error connecting DP: cannot read IDR')
add('swd-unreachable', 'decisive', 'src/target/cortex_m.c', 'Could not initialize the debug port',
    'Could not initialize the debug port')
add('swd-unreachable', 'decisive', 'src/jtag/core.c', 'JTAG scan chain interrogation failed',
    'JTAG scan chain interrogation failed: all ones')
# the same check of the IDCODE scan (all ones or all zeros) as 0.1 and 0.2 word it
add('swd-unreachable', 'decisive', 'src/jtag/jtag.c',
    'JTAG communication failure, check connection',
    'JTAG communication failure, check connection, JTAG interface, target power etc.',
    only=['v0.1.0'])
add('swd-unreachable', 'decisive', 'src/jtag/core.c',
    'JTAG communication failure: check connection',
    'JTAG communication failure: check connection, JTAG interface, target power etc.',
    only=['v0.2.0'])
add('swd-unreachable', 'decisive', CMSIS, 'CMSIS-DAP command CMD_CONNECT failed.',
    'CMSIS-DAP command CMD_CONNECT failed.')

# ---- link
add('swd-comm-errors', 'decisive', 'src/target/hla_target.c',
    'jtag status contains invalid mode value - communication failure',
    'jtag status contains invalid mode value - communication failure')
add('swd-comm-errors', 'decisive', 'src/target/adi_v5_jtag.c', 'JTAG-DP STICKY ERROR',
    'JTAG-DP STICKY ERROR')
add('swd-comm-errors', 'decisive', 'src/target/adi_v5_jtag.c', 'JTAG-DP OVERRUN',
    'JTAG-DP OVERRUN - check clock, memaccess, or reduce jtag speed')
# ACK 7 is TDO read high: a garbled link, or a target that stopped driving it.
add('swd-comm-errors', 'shared', 'src/target/adi_v5_jtag.c', 'Invalid ACK %#x',
    'Invalid ACK 0x7 in JTAG-DP transaction', level='Warn', alt='swd-unreachable')
add('swd-comm-errors', 'shared', 'src/target/adi_v5_jtag.c', 'Invalid ACK (%1x) in DAP response',
    'Invalid ACK (7) in DAP response', alt='swd-unreachable')
add('swd-comm-errors', 'decisive', 'src/target/adi_v5_jtag.c', 'Invalid ACK (%1x) in DAP response',
    'Invalid ACK (4) in DAP response')
add('swd-comm-errors', 'decisive', 'src/target/cortex_m.c', 'DP initialisation failed',
    'DP initialisation failed')
add('swd-comm-errors', 'cascade', STLINK, 'Previous state query failed, trying to reconnect',
    'Previous state query failed, trying to reconnect', level='Info')
add('swd-comm-errors', 'cascade', 'src/target/target.c', 'examination failed',
    'target stm32f1x.cpu examination failed', level='Warn')
add('swd-comm-errors', 'cascade', 'src/target/target.c', 'Polling target %s failed',
    'Polling target stm32f1x.cpu failed, trying to reexamine')
add('swd-comm-errors', 'cascade', LIBUSB, 'libusb_bulk_read error',
    'libusb_bulk_read error: LIBUSB_ERROR_TIMEOUT')

# ---- halt
add('core-halt-timeout', 'shared', 'src/target/target.c', 'timed out while waiting for target %s',
    'timed out while waiting for target halted', alt='target-low-power')
add('core-halt-timeout', 'shared', 'src/target/startup.tcl', 'TARGET: %s - Not halted',
    'TARGET: stm32f1x.cpu - Not halted', alt='target-low-power', level='')
add('core-halt-timeout', 'shared', 'src/target/target.c', 'Halt timed out, wake up GDB.',
    'Halt timed out, wake up GDB.', alt='target-low-power', level='Info')
add('target-low-power', 'decisive', 'src/target/target.c', 'timed out while waiting for target %s',
    'timed out while waiting for target halted\\nstm32l0.cpu: target state: running', )

# ---- identity (numbers read against what they should be)
add('clone-idcode', 'decisive', 'src/jtag/hla/hla_interface.c', 'UNEXPECTED idcode: 0x%08',
    'UNEXPECTED idcode: 0x2ba01477\\nexpected 1 of 1: 0x1ba01477', level='Warn')
add('wrong-target-config', 'decisive', 'src/jtag/hla/hla_interface.c', 'UNEXPECTED idcode: 0x%08',
    'UNEXPECTED idcode: 0x0bb11477\\nexpected 1 of 1: 0x1ba01477', level='Warn')
add('wrong-target-config', 'decisive', [F1, F2], 'device id = 0x%08',
    'device id = 0x10016413\\nstm32f1x.cpu: hardware has 6 breakpoints, 4 watchpoints', level='Info')
add('unsupported-device', 'shared', [F1, F2], 'Cannot identify target as a STM32 family.',
    'Cannot identify target as a STM32 family.', level='Warn', alt='wrong-target-config')
add('unsupported-device', 'shared', F1, 'Cannot identify target as a stm32x',
    'Cannot identify target as a stm32x', alt='wrong-target-config')
add('unsupported-device', 'decisive', 'src/target/cortex_m.c', 'Cortex-M PARTNO 0x%x is unrecognized',
    'stm32f1x.cpu: Cortex-M PARTNO 0xd21 is unrecognized')
add('flash-size-mismatch', 'shared', [F1, F2, L4], 'STM32 flash size failed, probe inaccurate',
    'STM32 flash size failed, probe inaccurate - assuming 128k flash', level='Warn',
    alt='swd-comm-errors')

# ---- protection
add('readout-protected', 'decisive', F1, 'Readout Protection On', 'Readout Protection On', level='')
add('readout-protected', 'decisive', F1, 'read protection: %s', 'read protection: on', level='')
add('readout-protected', 'decisive', [F1, F2], 'Device Security Bit Set', 'Device Security Bit Set',
    level='Info')
add('readout-protected', 'shared', [F1, F2, L4], 'stm32x device protected', 'stm32x device protected',
    alt='write-protected')
add('write-protected', 'shared', [F1, F2, L4], 'flash memory write protected',
    'flash memory write protected', alt='readout-protected')
add('write-protected', 'cascade', 'src/flash/nor/core.c', 'failed erasing sectors',
    'failed erasing sectors 0 to 63')
add('vendor-protected', 'decisive', 'tcl/target/nrf52.cfg', 'AP lock engaged',
    'nRF52 device has AP lock engaged (see UICR APPROTECT register).', level='')
# nrf52.cfg before 0.11 asks nothing of the CTRL-AP: a locked nRF52's DP answers, its AHB-AP
# does not, and no lock message follows (the config named on the command line)
add('vendor-protected', 'decisive', 'src/target/cortex_m.c',
    'Could not find MEM-AP to control the core',
    'openocd -f interface/jlink.cfg -f target/nrf52.cfg\\nOpen On-Chip Debugger {release}\\n'
    'Info : SWD DPIDR 0x2ba01477\\nError: Could not find MEM-AP to control the core', level='',
    only=['v0.10.0'])
add('vendor-protected', 'decisive', ['src/flash/nor/nrf51.c', 'src/flash/nor/nrf5.c'],
    'Cannot erase protected sector', 'Cannot erase protected sector at 0x0')
add('vendor-protected', 'decisive', ['src/flash/nor/at91samd.c', 'src/flash/nor/atsame5.c'],
    'NVM lock error', 'SAMD: NVM lock error')
add('vendor-protected', 'decisive', ['src/flash/nor/kinetis.c', 'src/flash/nor/kinetis_ke.c'],
    'Kinetis MCU is in secured state',
    '**** Your Kinetis MCU is in secured state, which means that,  ****', level='Warn')

# ---- OpenOCD's own environment
add('port-in-use', 'decisive', 'src/server/server.c', 'couldn\'t bind to socket: %s',
    'couldn\'t bind to socket: Address already in use')
add('port-in-use', 'decisive', 'src/server/server.c', 'couldn\'t bind %s to socket: %s',
    'couldn\'t bind tcl to socket: Address already in use')
add('port-in-use', 'decisive', 'src/server/server.c', 'couldn\'t bind %s to socket on port %d',
    'couldn\'t bind gdb to socket on port 3333: Address already in use')
add('config-not-found', 'decisive', 'src/helper/startup.tcl', 'Can\'t find $filename',
    'Can\'t find board/my_custom_board.cfg', level='')
add('openocd-too-old', 'decisive', 'src/helper/command.c', 'Unknown command:\\n',
    'Unknown command:\\n  adapter speed 4000', level='')
add('verify-mismatch', 'decisive', ['src/target/target.c', 'src/flash/nor/tcl.c'],
    'diff %d address 0x%08', 'diff 0 address 0x08000000. Was 0xff instead of 0x00', level='')
add('verify-mismatch', 'decisive', 'src/flash/nor/tcl.c', '"contents %s", differ', 'contents differ',
    level='')
add('verify-mismatch', 'decisive', 'src/flash/nor/core.c', 'verify failed in bank at',
    'verify failed in bank at 0x08000000 starting at 0x00000000')
add('verify-mismatch', 'cascade', 'src/target/target.c', 'checksum mismatch - attempting binary compare',
    'checksum mismatch - attempting binary compare')

# ---- more wordings: other STM32 flash drivers, Windows, ST-LINK DAP direct
H7 = 'src/flash/nor/stm32h7x.c'
LX = 'src/flash/nor/stm32lx.c'
add('unsupported-device', 'shared', LX, 'Cannot identify target as a STM32L family.',
    'Cannot identify target as a STM32L family.', level='Warn', alt='wrong-target-config')
add('unsupported-device', 'shared', LX, 'Cannot identify target as an STM32 L0 or L1 family device.',
    'Cannot identify target as an STM32 L0 or L1 family device.', alt='wrong-target-config')
add('unsupported-device', 'shared', L4, 'Cannot identify target as an %s family device.',
    'Cannot identify target as an STM32G0/G4/L4/L4+/L5/U5/WB/WL family device.', level='Warn',
    alt='wrong-target-config')
add('unsupported-device', 'shared', H7, 'Cannot identify target as a STM32H7xx family.',
    'Cannot identify target as a STM32H7xx family.', level='Warn', alt='wrong-target-config')
add('readout-protected', 'decisive', L4, 'RDP level %s (0x%02X)', 'RDP level 1 (0xBB)', level='Info')
add('write-protected', 'shared', LX, 'access denied / write protected',
    'access denied / write protected', alt='readout-protected')
# Windows' strerror(errno) after a failed winsock bind: the port is taken all the same.
add('port-in-use', 'decisive', 'src/server/server.c', 'couldn\'t bind %s to socket: %s',
    'couldn\'t bind tcl to socket: No error', only=['v0.10.0'])
add('port-in-use', 'decisive', 'src/server/server.c', 'couldn\'t bind %s to socket on port %d',
    'couldn\'t bind tcl to socket on port 6666: No error', only=['v0.11.0', 'v0.12.0'])
add('probe-driver-missing', 'decisive', STLINK, 'ST-Link version does not support DAP direct transport',
    'ST-Link version does not support DAP direct transport')
add('clone-idcode', 'decisive', 'src/target/adi_v5_swd.c', 'LOG_INFO("SWD DPIDR',
    'SWD DPIDR 0x2ba01477\\nInfo : stm32f1x.cpu: hardware has 6 breakpoints, 4 watchpoints',
    level='Info', only=['v0.10.0', 'v0.11.0'])
add('clone-idcode', 'decisive', 'src/target/adi_v5_swd.c', 'LOG_INFO("SWD DPIDR',
    'SWD DPIDR 0x2ba01477\\nInfo : [stm32f1x.cpu] Cortex-M3 r2p1 processor detected',
    level='Info', only=['v0.12.0'])
add('verify-mismatch', 'decisive', 'src/target/target.c', 'LOG_ERROR("checksum mismatch");',
    'checksum mismatch')
add('swd-comm-errors', 'cascade', 'src/target/target.c', 'Target not examined yet',
    'Target not examined yet')
add('swd-comm-errors', 'cascade', 'src/target/cortex_m.c', 'Could not find MEM-AP to control the core',
    'Could not find MEM-AP to control the core')
add('unsupported-device', 'cascade', 'src/flash/nor/core.c', 'auto_probe failed', 'auto_probe failed')
add('core-halt-timeout', 'cascade', 'src/server/gdb_server.c', 'Connect failed. Consider setting up',
    'Connect failed. Consider setting up a gdb-attach event for the target to prepare target '
    'for GDB connect, or use \'gdb_memory_map disable\'.')

# ---- lines a truncated paste may keep alone
add('probe-driver-missing', 'shared', CMSIS, 'CMSIS-DAP: SWD not supported',
    'CMSIS-DAP: SWD not supported', alt='openocd-too-old')
add('probe-driver-missing', 'decisive', CMSIS, 'CMSIS-DAP failed to connect in mode',
    'CMSIS-DAP failed to connect in mode (1)')
# libusb's Windows backend alone answers NOT_FOUND from an open (windows_winusb.c,
# composite_open: no interface with a usable driver); a device that left the bus is NO_DEVICE
# on every backend, so this is not shared with probe-not-found.
add('probe-driver-missing', 'decisive', LIBUSB, 'libusb_open() failed with',
    'libusb_open() failed with LIBUSB_ERROR_NOT_FOUND')
add('probe-not-found', 'shared', MPSSE, 'unable to open ftdi device with vid %s, pid %s, description \'%s\' and',
    'unable to open ftdi device with vid 0403, pid 6010, description \'*\' and serial \'*\'',
    alt='probe-driver-missing')
add('probe-not-found', 'shared', MPSSE, 'unable to open ftdi device with vid %s, pid %s, description \'%s\', ',
    'unable to open ftdi device with vid 0403, pid 6010, description \'*\', serial \'*\' at bus '
    'location \'*\'', alt='probe-driver-missing')
add('swd-comm-errors', 'cascade', STLINK, 'Fail reading CTRL/STAT register. Force reconnect',
    'Fail reading CTRL/STAT register. Force reconnect')
add('core-halt-timeout', 'cascade', [F1, F2], 'LOG_ERROR("Target not halted")', 'Target not halted')

# ---- ST's fork: the STM32H5 driver it adds words its failures as the upstream drivers do
H5 = 'src/flash/nor/stm32h5x.c'
add('readout-protected', 'shared', H5, 'stm32x device protected', 'stm32x device protected',
    alt='write-protected', tool='openocd-st')
add('write-protected', 'shared', H5, 'flash memory write protected', 'flash memory write protected',
    alt='readout-protected', tool='openocd-st')
add('unsupported-device', 'shared', H5, 'Cannot identify target as an %s family device.',
    'Cannot identify target as an STM32H5 family device.', level='Warn', tool='openocd-st',
    alt='wrong-target-config')
add('flash-size-mismatch', 'shared', H5, 'STM32 flash size failed, probe inaccurate',
    'STM32 flash size failed, probe inaccurate - assuming 512k flash', level='Warn',
    alt='swd-comm-errors', tool='openocd-st')

# ---- dfu-util (prefix 'dfu-util: ' from err/warn)
add('probe-not-found', 'decisive', DFU, 'No DFU capable USB device available',
    'No DFU capable USB device available', level='dfu-util')
add('usb-permission', 'shared', DFU, 'Cannot open DFU device %04x:%04x',
    'Cannot open DFU device 0483:df11', level='dfu-util', alt='probe-driver-missing')
add('usb-permission', 'shared', DFU, 'Cannot open DFU device %04x:%04x found on devnum',
    'Cannot open DFU device 0483:df11 found on devnum 5 (LIBUSB_ERROR_ACCESS)', level='dfu-util',
    alt='probe-busy')
# the run-time interface of a device another program holds (or the user may not open)
for tag, head, tail in (('v0.9', 'Runtime', ''), ('v0.10', 'Runtime', ': LIBUSB_ERROR_ACCESS'),
                        ('v0.11', '(Run-Time)', ': LIBUSB_ERROR_ACCESS')):
    add('probe-not-found', 'shared', DFU, 'Cannot claim interface %d',
        f'Claiming USB DFU {head} Interface...\\ndfu-util: Cannot claim interface 0{tail}',
        level='', alt='probe-busy', tool='dfu-util', only=[tag])
add('dfu-leave-quirk', 'decisive', DFU, 'Error during download get_status',
    'Submitting leave request...\\ndfu-util: Error during download get_status', level='',
    tool='dfu-util')
add('dfu-suffix-warning', 'decisive', DFU, 'A valid DFU suffix will be required',
    'Invalid DFU suffix signature\\nA valid DFU suffix will be required in a future dfu-util release'
    '\\nFile downloaded successfully',
    level='dfu-util')

# ---- messages a rule read in one thread's log, catalogued for every version that prints them
# (the audit of issue 14: a rule keyed to one log must read the message's whole family)
SPI = ['src/flash/nor/' + f + '.c' for f in ('ath79', 'fespi', 'jtagspi', 'lpcspifi', 'mrvlqspi',
                                              'stmsmi', 'sh_qspi', 'sfdp')]
add('unsupported-device', 'decisive', SPI, 'device needs paging or 4-byte addresses - not implemented',
    'device needs paging or 4-byte addresses - not implemented', level='Warn')
add('unsupported-device', 'decisive', SPI, 'device needs 2-byte addresses - not implemented',
    'device needs 2-byte addresses - not implemented', level='Warn')
add('unsupported-device', 'decisive', SPI, 'device needs paging - not implemented',
    'device needs paging - not implemented')
add('probe-driver-missing', 'shared', MPSSE, 'libusb_claim_interface() failed with',
    'libusb_claim_interface() failed with LIBUSB_ERROR_ACCESS', alt='probe-busy')
add('probe-driver-missing', 'decisive', CMSIS, 'with wrong class',
    'Using CMSIS-DAPv2 interface 0 with wrong class 10 subclass 0 or protocol 0\\n'
    'could not claim interface: Resource busy', level='Warn')
add('probe-driver-missing', 'decisive', CMSIS, 'not implemented", current_cmd',
    'CMSIS-DAP command 0x1d not implemented')

add('openocd-too-old', 'decisive', 'src/flash/nor/tcl.c', "flash driver '%s' not found",
    "flash driver 'stm32h7x' not found")
LIBFTDI = ['src/jtag/drivers/ft2232.c', 'src/jtag/drivers/usb_blaster/ublast_access_ftdi.c',
           'src/jtag/drivers/openjtag.c']
add('usb-permission', 'decisive', LIBFTDI, 'unable to open ftdi device: %s',
    'unable to open ftdi device: inappropriate permissions on device!')
add('probe-not-found', 'shared', LIBFTDI, 'unable to open ftdi device: %s',
    'unable to open ftdi device: device not found', alt='probe-driver-missing')
# libftdi's claim refused: a kernel driver (macOS's FTDI kext) or another program holds it
add('probe-driver-missing', 'shared', LIBFTDI, 'unable to open ftdi device: %s',
    'unable to open ftdi device: unable to claim usb device. Make sure the default FTDI '
    'driver is not in use', alt='probe-busy')
# shared (msgtgt): a TARGETSEL whose id is not the chip's is answered by nobody, as an
# unwired one (target/rp2040.cfg on an RP2350)
add('swd-unreachable', 'shared', 'src/target/adi_v5_swd.c', 'Failed to connect multidrop %s',
    'Failed to connect multidrop rp2040.dap0', also=['openocd-rpi'], alt='wrong-target-config')
add('config-not-found', 'decisive', 'src/transport/transport.c',
    'Debug adapter does not support any transports? Check config file order.',
    'Debug adapter does not support any transports? Check config file order.')
add('dfu-leave-quirk', 'decisive', DFU, 'unable to read DFU status after completion',
    'Download done.\\ndfu-util: unable to read DFU status after completion (LIBUSB_ERROR_PIPE)',
    level='', tool='dfu-util', only=['v0.10', 'v0.11'])
add('dfu-leave-quirk', 'decisive', DFU, 'unable to read DFU status after completion',
    'Download done.\\ndfu-util: unable to read DFU status after completion '
    '(LIBUSB_ERROR_NO_DEVICE)',
    level='', tool='dfu-util', only=['v0.11'])
add('dfu-leave-quirk', 'decisive', DFU, 'unable to read DFU status after completion',
    'Download done.\\ndfu-util: unable to read DFU status after completion',
    level='', tool='dfu-util', only=['v0.9'])

# ---- the final reset after a download: a device in DFU mode refuses the detach request
for tag, mode in (('v0.9', 'runtime'), ('v0.10', 'runtime'), ('v0.11', 'Run-Time')):
    add('dfu-leave-quirk', 'decisive', DFU, 'Resetting USB to switch back to',
        f"File downloaded successfully\\ndfu-util: can't detach\\n"
        f'Resetting USB to switch back to {mode} mode', level='', tool='dfu-util', only=[tag])

# ---- a page refused on a Particle board, in the flash of the other MCU family (STM32F205 at
# 0x08000000: Photon, P1, Electron; nRF52840 at 0x00000000: Argon, Boron, Gen 3 SoMs): the
# image was built for another board (user parts 0x080a0000 and 0x000d4000)
for tag, dev, elem in (('v0.9', 'ID', ''), ('v0.10', 'ID', 'element '),
                       ('v0.11', 'Device ID', 'element ')):
    for pid, start, size in (('d00c', 0x080a0000, 12288), ('d00a', 0x000d4000, 6012)):
        add('wrong-target-config', 'decisive', DFU, 'Last page at 0x%08x is not writeable',
            f'{dev} 2b04:{pid}\\nDownloading {elem}to address = 0x{start:08x}, size = {size}'
            f'\\ndfu-util: Last page at 0x{start + size - 1:08x} is not writeable', level='',
            tool='dfu-util', only=[tag])

# ---- a CMSIS-DAP probe that left the bus: hidapi's strerror(ENODEV), libusb_strerror
add('probe-not-found', 'decisive', CMSIS, 'error writing data: %ls',
    'error writing data: No such device')
add('probe-not-found', 'decisive', CMSIS, 'error reading data: %ls',
    'error reading data: No such device', only=['v0.11.0', 'v0.12.0'])
add('probe-not-found', 'decisive', CMSIS, 'error writing data: %s',
    'error writing data: No such device (it may have been disconnected)')

# ---- a debug instruction that faulted in Espressif's Xtensa debug module (a garbled JTAG
# link, or a core asleep); a DSR of all ones is a bus nobody drove and reads otherwise
add('swd-comm-errors', 'shared', 'src/target/xtensa/xtensa.c',
    'indicates DIR instruction generated an exception',
    '[esp32.cpu0] DSR (8011CC13) indicates DIR instruction generated an exception!',
    alt='target-low-power')
add('swd-comm-errors', 'shared', 'src/target/xtensa.c',
    'indicates DIR instruction generated an exception',
    'esp32: DSR (8011CC13) indicates DIR instruction generated an exception!',
    alt='target-low-power', tool='openocd-esp32')
add('swd-comm-errors', 'shared', 'src/target/xtensa.c',
    'indicates DIR instruction generated an overrun',
    'esp32: DSR (80118C19) indicates DIR instruction generated an overrun!',
    alt='target-low-power', tool='openocd-esp32')

# ---- riscv-013.c's DM version check in its pre-0.11 wording (riscv-openocd read dmstatus
# before it activated the DM until 2019; Espressif's fork keeps the wording, after activation)
add('openocd-too-old', 'shared', 'src/target/riscv/riscv-013.c',
    'only supports Debug Module version 2, not %d',
    'OpenOCD only supports Debug Module version 2, not 0 (dmstatus=0x0)',
    alt='swd-comm-errors', tool='openocd-esp32', also=['openocd-riscv'])
# ---- the same check reading a version number no debug spec defines (4-14): a garbled scan
for tag, v3 in (('v0.11.0', '0.14'), ('v0.12.0', '1.0')):
    add('swd-comm-errors', 'shared', 'src/target/riscv/riscv-013.c',
        'OpenOCD only supports Debug Module version 2 (0.13) and 3 (',
        f'OpenOCD only supports Debug Module version 2 (0.13) and 3 ({v3}), not 11 '
        '(dmstatus=0x400c8b). This error might be caused by a JTAG signal issue. Try reducing '
        'the JTAG clock speed.', alt='openocd-too-old', only=[tag],
        also=['openocd-riscv'] if tag == 'v0.12.0' else [])
add('swd-comm-errors', 'shared', 'src/target/riscv/riscv-013.c',
    'only supports Debug Module version 2, not %d',
    'OpenOCD only supports Debug Module version 2, not 5 (dmstatus=0x3a5)',
    alt='openocd-too-old', tool='openocd-esp32', also=['openocd-riscv'])

# ---- the lines other drivers print when their adapter is not on the bus
add('probe-not-found', 'decisive', 'src/jtag/drivers/openjtag.c',
    'unable to open cy7c65215 device', 'unable to open cy7c65215 device')
add('probe-not-found', 'decisive', 'src/jtag/drivers/ft232r.c', 'ft232r not found: vid=%04x',
    'ft232r not found: vid=0403, pid=6001, serial=(null)')
add('probe-not-found', 'decisive', 'src/jtag/drivers/kitprog.c',
    'Failed to open or find the device', 'Failed to open or find the device')
ESP_JTAG = 'src/jtag/drivers/esp_usb_jtag.c'
add('probe-not-found', 'decisive', ESP_JTAG, 'esp_usb_jtag: could not find or open device!',
    'esp_usb_jtag: could not find or open device!')
add('probe-not-found', 'decisive', ESP_JTAG, 'esp_usb_jtag: could not find or open device!',
    'esp_usb_jtag: could not find or open device!', tool='openocd-esp32')
add('probe-not-found', 'decisive', 'src/jtag/drivers/usb_blaster/ublast2_access_libusb.c',
    'Altera USB-Blaster II not found', 'Altera USB-Blaster II not found')
add('probe-driver-missing', 'shared', CMSIS, 'could not claim interface: %s',
    'could not claim interface: Access denied (insufficient permissions)', level='Warn',
    alt='probe-busy')

# ---- an interface the release predates reads as either cause (the name is one it lacks)
for tag, name in (('v0.9.0', 'st-link'), ('v0.10.0', 'xds110'), ('v0.11.0', 'esp_usb_jtag')):
    add('probe-driver-missing', 'shared', ['src/jtag/adapter.c', 'src/jtag/interface.c'],
        'The specified debug interface was not found',
        f'The specified debug interface was not found ({name})', alt='openocd-too-old', only=[tag])

# ---- a SPI flash the driver's table of the release lacks
for drv, tag, message in (('stmsmi', 'v0.10.0', 'Unknown flash device (ID 0x001840c8)'),
                          ('fespi', 'v0.11.0', 'Unknown flash device (ID 0x001760c8)'),
                          ('jtagspi', 'v0.12.0', 'Unknown flash device (ID 0x1740c8)'),
                          ('mrvlqspi', 'v0.12.0', 'Unknown flash device ID 0x001840c8'),
                          ('rp2040', 'v0.12.0', 'Unknown flash device (ID 0x001660c8)')):
    add('openocd-too-old', 'decisive', f'src/flash/nor/{drv}.c', 'Unknown flash device',
        message, only=[tag])

# ---- a dormant-state sequence the adapter driver of the release cannot send (with the banner)
for files, tag, seq, stop in ((CMSIS, 'v0.10.0', 4, ''), (CMSIS, 'v0.11.0', 3, ''),
                              ('src/jtag/drivers/ftdi.c', 'v0.11.0', 4, ''),
                              (JLINK, 'v0.11.0', 4, '.')):
    add('openocd-too-old', 'decisive', files, f'"Sequence %d not supported{stop}"',
        f'Open On-Chip Debugger {{release}}\\nError: Sequence {seq} not supported{stop}',
        level='', only=[tag])

# ---- a script of tcl/: rp2040-core0.cfg's notice, then the MEM-AP it cannot find
add('wrong-target-config', 'shared', 'tcl/target/rp2040-core0.cfg',
    'rp2040-core0.cfg configuration file is deprecated',
    'Warn : rp2040-core0.cfg configuration file is deprecated and will be\\n'
    '       removed in the next release. Use following parameters instead:\\n'
    "          -c 'set USE_CORE 0' -f target/rp2040.cfg\\n"
    'Error: [rp2040.cpu] Could not find MEM-AP to control the core', level='',
    alt='swd-comm-errors')


# ---- OpenOCD 0.5-0.8: the same words as later releases, and those they word otherwise
add('swd-unreachable', 'decisive', STLINK, 'LOG_ERROR("init mode failed");', 'init mode failed',
    tool='openocd-old')
add('swd-comm-errors', 'decisive', ['src/target/stm32_stlink.c', 'src/target/hla_target.c'],
    'jtag status contains invalid mode value - communication failure',
    'jtag status contains invalid mode value - communication failure', tool='openocd-old')
add('probe-not-found', 'shared', STLINK, 'LOG_ERROR("open failed")', 'open failed',
    alt='openocd-too-old', tool='openocd-old')
# hla's (0.6: stlink's) IDCODE check before 'expected 1 of 1' was printed: an id the config
# does not list; 0x2ba01477 is the CS32/APM32 F103 clone's, or a genuine M4 on an F1 config
for files, name, tags in (('src/jtag/stlink/stlink_interface.c', 'stlink', ['v0.6.0']),
                          ('src/jtag/hla/hla_interface.c', 'hl', ['v0.7.0', 'v0.8.0'])):
    add('clone-idcode', 'shared', files, 'target not found: idcode: 0x%08',
        f'{name}_interface_init_target: target not found: idcode: 0x2ba01477',
        alt='wrong-target-config', tool='openocd-old', only=tags)
    add('wrong-target-config', 'decisive', files, 'target not found: idcode: 0x%08',
        f'{name}_interface_init_target: target not found: idcode: 0x0bb11477',
        tool='openocd-old', only=tags)
add('swd-comm-errors', 'decisive', ['src/target/arm7_9_common.c', 'src/target/xscale.c'],
    'cpsr contains invalid mode value - communication failure',
    'cpsr contains invalid mode value - communication failure', also=['openocd-old'])
add('probe-not-found', 'decisive', JLINK, 'Cannot find jlink Interface',
    'Cannot find jlink Interface! Please check connection and permissions.', tool='openocd-old')
add('swd-unreachable', 'decisive', 'src/jtag/core.c', 'JTAG scan chain interrogation failed',
    'JTAG scan chain interrogation failed: all ones', tool='openocd-old')
add('port-in-use', 'decisive', 'src/server/server.c', 'couldn\'t bind to socket: %s',
    'couldn\'t bind to socket: Address already in use', tool='openocd-old')
add('unsupported-device', 'shared', [F1, F2], 'Cannot identify target as a STM32 family.',
    'Cannot identify target as a STM32 family.', level='Warn', alt='wrong-target-config',
    tool='openocd-old')
add('readout-protected', 'decisive', [F1, F2], 'Device Security Bit Set', 'Device Security Bit Set',
    level='Info', tool='openocd-old')
# ST-LINK's voltage (0.7+) against the bare 'init mode failed' it explains
add('target-unpowered', 'decisive', STLINK, 'Target voltage: %f',
    'Target voltage: 0.011834\\nError: init mode failed', level='Info', tool='openocd-old')
add('readout-protected', 'shared', [F1, F2], 'stm32x device protected', 'stm32x device protected',
    alt='write-protected', tool='openocd-old')
add('write-protected', 'shared', [F1, F2], 'flash memory write protected',
    'flash memory write protected', alt='readout-protected', tool='openocd-old')
add('readout-protected', 'decisive', F1, 'Readout Protection On', 'Readout Protection On', level='',
    tool='openocd-old')
add('usb-permission', 'decisive', 'src/jtag/drivers/ft2232.c', 'unable to open ftdi device: %s',
    'unable to open ftdi device: inappropriate permissions on device!', tool='openocd-old')
add('probe-not-found', 'shared', 'src/jtag/drivers/ft2232.c', 'unable to open ftdi device: %s',
    'unable to open ftdi device: device not found', alt='probe-driver-missing', tool='openocd-old')

# ---- a RISC-V Debug Transport Module read through a JTAG chain nobody drives: all zeroes
# (TDO held low) or all ones (TDO floating high); upstream since 0.11, and every RISC-V fork
RISCV_DTM = ['src/target/riscv/riscv-011.c', 'src/target/riscv/riscv-013.c']
add('swd-unreachable', 'decisive', RISCV_DTM, 'dtmcontrol is 0. Check JTAG connectivity',
    'dtmcontrol is 0. Check JTAG connectivity/board power.',
    also=['openocd-riscv', 'openocd-esp32', 'openocd-nuclei', 'openocd-rpi'])
add('swd-unreachable', 'decisive', ['src/target/riscv/riscv.c'] + RISCV_DTM,
    'dtmcontrol. Check JTAG connectivity',
    '[riscv.cpu] Could not read dtmcontrol. Check JTAG connectivity/board power.',
    tool='openocd-riscv')
add('swd-unreachable', 'decisive', RISCV_DTM, 'Unsupported DTM version %d. (dtmcontrol=0x%x)',
    'Unsupported DTM version 15. (dtmcontrol=0xffffffff)',
    also=['openocd-riscv', 'openocd-esp32', 'openocd-nuclei', 'openocd-rpi'])

# ---- Raspberry Pi's fork: its picoprobe driver (before the probe spoke CMSIS-DAP)
PICOPROBE = 'src/jtag/drivers/picoprobe.c'
add('probe-not-found', 'decisive', PICOPROBE, 'Can\'t find a picoprobe device!',
    'Can\'t find a picoprobe device! Please check device connections and permissions.',
    tool='openocd-rpi')
add('probe-not-found', 'decisive', PICOPROBE, 'Failed to open or find the device',
    'Failed to open or find the device', tool='openocd-rpi')
# libusb_claim_interface refused: another program's (Linux: BUSY) or a driver that holds the
# interface (Windows without WinUSB, macOS)
add('probe-busy', 'shared', PICOPROBE, 'Failed to claim picoprobe interface',
    'Failed to claim picoprobe interface', alt='probe-driver-missing', tool='openocd-rpi')
add('swd-comm-errors', 'decisive', PICOPROBE, 'SWD Read data parity mismatch',
    'SWD Read data parity mismatch', tool='openocd-rpi')

# ---- WCH's fork: the WCH-Link driver and the CH32 flash drivers
WLINK = 'src/jtag/drivers/wlinke.c'
add('swd-unreachable', 'decisive', WLINK, 'WCH-Link failed to connect with riscvchip',
    ' WCH-Link failed to connect with riscvchip\\nError:  1.Make sure the two-line debug '
    'interface has been opened. If not, set board to boot mode then use ISP tool to open it'
    '\\nError:  2.Please check your physical link connection', tool='openocd-wch')
# Windows: WCH's DLL could not open the link (not plugged in, or WCH-LinkUtility holds it)
add('probe-not-found', 'shared', WLINK, 'WLink Open Error', 'WLink Open Error',
    alt='probe-busy', tool='openocd-wch')
add('vendor-protected', 'decisive', 'src/flash/nor/wchriscv.c',
    'Read-Protect Status Currently Enabled', 'Read-Protect Status Currently Enabled',
    tool='openocd-wch')
add('vendor-protected', 'shared', 'src/flash/nor/wcharm.c', 'ch32x device protected',
    'ch32x device protected', alt='write-protected', tool='openocd-wch')
# stm32f1x.c's words, which these drivers keep, on a log that names the part (a config's chip
# name, at32f4xx.c's 'This is target %s algorithm')
for files, tool, context in (
        ('src/flash/nor/wcharm.c', 'openocd-wch',
         'ch32f1x.cpu: hardware has 6 breakpoints, 4 watchpoints'),
        ('src/flash/nor/gd32vf103.c', 'openocd-nuclei', '[gd32vf103.cpu] Examined RISC-V core'),
        ('src/flash/nor/at32f4xx.c', 'openocd-artery', 'This is target AT32F403AxG algorithm')):
    add('vendor-protected', 'shared', files, 'flash memory write protected',
        f'{context}\\nError: flash memory write protected', level='Info', alt='write-protected',
        tool=tool)

# ---- GigaDevice's GD32VF103 in Nuclei's fork (worded as stm32f1x.c words it)
GD32V = 'src/flash/nor/gd32vf103.c'
add('vendor-protected', 'shared', GD32V, 'gd32vf103 device protected',
    'gd32vf103 device protected', alt='write-protected', tool='openocd-nuclei')
add('unsupported-device', 'shared', GD32V, 'Cannot identify target as a gd32vf103 family.',
    'Cannot identify target as a gd32vf103 family.', level='Warn', alt='wrong-target-config',
    tool='openocd-nuclei')
add('flash-size-mismatch', 'shared', GD32V, 'flash size failed, probe inaccurate',
    'gd32vf103 flash size failed, probe inaccurate - assuming 128k flash', level='Warn',
    alt='swd-comm-errors', tool='openocd-nuclei')

# ---- Artery's fork: the AT32 flash driver, which reads an unknown project id under access
# protection (its reads return nothing) and names the protection only as a guess
AT32 = 'src/flash/nor/at32f4xx.c'
add('vendor-protected', 'shared', AT32, 'maybe the target mcu access protection is activated',
    '**************************************************************************************************'
    '\\nWarn : * maybe the target mcu access protection is activated, please try disable access '
    'protection.*', level='Warn', alt='wrong-target-config', tool='openocd-artery')
add('wrong-target-config', 'shared', AT32, 'please select the matching algorithm',
    'please select the matching algorithm', alt='unsupported-device', tool='openocd-artery')
add('flash-size-mismatch', 'shared', AT32, 'read at32 flash size failed',
    'read at32 flash size failed, 0k flash', level='Warn', alt='swd-comm-errors',
    tool='openocd-artery')

# ---- a config written for a fork, run by a stock OpenOCD: the piece it names is the fork's
for name in ('picoprobe', 'wlinke', 'kitprog3'):
    add('probe-driver-missing', 'decisive', ['src/jtag/adapter.c', 'src/jtag/interface.c'],
        'The specified debug interface was not found',
        f'The specified debug interface was not found ({name})')
for name in ('wch_riscv', 'esp32c3', 'at32f4xx', 'gd32vf103'):
    add('openocd-too-old', 'decisive', 'src/flash/nor/tcl.c', "flash driver '%s' not found",
        f"flash driver '{name}' not found")
TARGET = 'src/target/target.c'
for name in ('esp32c3', 'wch_riscv'):
    add('openocd-too-old', 'decisive', TARGET, 'Unknown target type %s, try one of',
        f'Unknown target type {name}, try one of arm7tdmi, arm9tdmi, arm920t', level='')
# ---- a target type the release predates (with the banner that shows the release)
for name, tags in (('riscv', ['v0.9.0', 'v0.10.0']), ('esp32', ['v0.9.0', 'v0.10.0', 'v0.11.0'])):
    add('openocd-too-old', 'decisive', TARGET, 'Unknown target type %s, try one of',
        f'Open On-Chip Debugger {{release}}\\nUnknown target type {name}, try one of arm7tdmi, '
        'arm9tdmi, arm920t', level='', only=tags)

# ---- JTAG's IR capture check (every JTAG target: the RISC-V and Xtensa forks' logs): all
# zeros or all ones is a TAP nobody drives (another value: rules_drv.inc's rows below)
add('swd-unreachable', 'decisive', 'src/jtag/core.c', 'IR capture error; saw 0x%0*',
    'riscv.cpu: IR capture error; saw 0x1f not 0x01', also=['openocd-old'])
add('swd-unreachable', 'decisive', 'src/jtag/core.c', 'IR capture error; saw 0x%0*',
    'esp32.cpu0: IR capture error; saw 0x00 not 0x01', also=['openocd-esp32'])
add('swd-unreachable', 'cascade', 'src/jtag/core.c', 'Bypassing JTAG setup events due to errors',
    'Bypassing JTAG setup events due to errors', level='Warn',
    also=['openocd-riscv', 'openocd-esp32', 'openocd-nuclei'])
# ---- riscv-013's examine (upstream 0.11+ and every RISC-V fork)
RISCV_013 = 'src/target/riscv/riscv-013.c'
add('swd-comm-errors', 'shared', RISCV_013, 'Debug Module did not become active',
    'Debug Module did not become active. dmcontrol=0x0', alt='swd-unreachable',
    also=['openocd-riscv', 'openocd-esp32', 'openocd-nuclei', 'openocd-rpi'])

# ---- Raspberry Pi's CMSIS-DAP bulk driver with asynchronous transfers (sdk-2.0.0): a probe
# that left the bus, in libusb_strerror's words
BULK = 'src/jtag/drivers/cmsis_dap_usb_bulk.c'
for key in ('error submitting USB write: %s', 'error submitting USB read: %s',
            'error handling USB events: %s'):
    add('probe-not-found', 'decisive', BULK, key,
        key.replace('%s', 'No such device (it may have been disconnected)'), tool='openocd-rpi')
# SWD's connect read the DPIDR, then every write to ABORT/SELECT met WAIT or FAULT: a DP that
# answers and a system that does not (a core asleep, a stalled bus) or a garbled link
add('swd-comm-errors', 'shared', 'src/target/adi_v5_swd.c',
    'Error connecting DP: cannot write to ABORT / SELECT',
    'Error connecting DP: cannot write to ABORT / SELECT', alt='target-low-power',
    tool='openocd-rpi')

# ---- Espressif's USB-Serial-JTAG (the ESP32-C3/S3's own): the device the driver revives after
# a failed transfer is gone (the chip reset, slept, or its firmware took the USB pins)
ESP_JTAG_GONE = ('esp_usb_jtag: device not found!', 'esp_usb_jtag: failed to revive USB device!')
for message in ESP_JTAG_GONE:
    add('probe-not-found', 'shared', ESP_JTAG, message, message, alt='target-low-power',
        tool='openocd-esp32')
# its JTAG interface not claimed: another program's, or (Windows) no WinUSB driver bound
add('probe-busy', 'shared', ESP_JTAG, 'error finding/claiming JTAG interface on device!',
    'esp_usb_jtag: error finding/claiming JTAG interface on device!',
    alt='probe-driver-missing', also=['openocd-esp32'])

# ---- Xtensa's debug module off (OCD_ID read back 0 or all ones) in Espressif's later tags: a
# warning with the target's name (upstream 0.12's error: rules_drv.inc's rows below)
add('target-low-power', 'shared', 'src/target/xtensa/xtensa.c', 'Unexpected OCD_ID = %08',
    '[esp32.cpu0] Unexpected OCD_ID = 00000000', level='Warn', alt='swd-unreachable',
    tool='openocd-esp32')

# ==== adapter drivers beyond the common probes, other vendors' flash drivers, target code
# (src/diag/rules_drv.inc reads these rows)
D = 'src/jtag/drivers/'
# ---- GPIO bit-bang adapters on a single-board computer: the device node is /dev/mem (root
# only), /dev/gpiomem (group gpio; bcm2835gpio 0.11+), a gpiochip or sysfs, never a USB probe
MMIO_GPIO = [D + f + '.c' for f in ('bcm2835gpio', 'am335xgpio', 'imx_gpio', 'at91rm9200',
                                     'ep93xx')]
for f in MMIO_GPIO:
    add('usb-permission', 'decisive', f, 'LOG_ERROR("open: %s"', 'open: Permission denied')
for f in MMIO_GPIO[:1] + MMIO_GPIO[3:]:
    add('usb-permission', 'decisive', f, 'perror("open")', 'open: Permission denied', level='')
LINUXGPIOD = D + 'linuxgpiod.c'
# gpiod_chip_open fails for a chip this user may not open and for a chip number not there
add('usb-permission', 'shared', LINUXGPIOD, 'Cannot open LinuxGPIOD chip %d for %s',
    'Cannot open LinuxGPIOD chip 0 for tck', alt='probe-not-found')
add('usb-permission', 'shared', LINUXGPIOD, 'Cannot open LinuxGPIOD gpiochip %d',
    'Cannot open LinuxGPIOD gpiochip 0', alt='probe-not-found')
# the chip opened, so the request of a line fails for a line another consumer holds (EBUSY);
# 0.12 also asks for a bias flag, which a kernel before 5.5 refuses (EINVAL) for every line
add('probe-busy', 'shared', LINUXGPIOD, 'Error requesting gpio line %s',
    'Error requesting gpio line swdio', alt='probe-driver-missing')
add('probe-busy', 'decisive', LINUXGPIOD, 'Error request_output line %s',
    'Error request_output line tck')
add('probe-busy', 'decisive', LINUXGPIOD, 'Error request_input line %s',
    'Error request_input line tdo')
SYSFSGPIO = D + 'sysfsgpio.c'
for key, what in (("Couldn't export gpio %d", 'export gpio 11'),
                  ("Couldn't set direction for gpio %d", 'set direction for gpio 11'),
                  ("Couldn't open value for gpio %d", 'open value for gpio 11')):
    add('usb-permission', 'decisive', SYSFSGPIO, key,
        f"Couldn't {what}\\nError: sysfsgpio: Permission denied", only=['v0.11.0', 'v0.12.0'])
    add('usb-permission', 'decisive', SYSFSGPIO, key,
        f"Couldn't {what}\\nsysfsgpio: : Permission denied", only=['v0.9.0', 'v0.10.0'])
# export refused with EBUSY (a kernel driver holds the line) is only a warning; the line's
# directory then does not exist
add('probe-busy', 'decisive', SYSFSGPIO, 'is already exported',
    "gpio 11 is already exported\\nError: Couldn't set direction for gpio 11\\n"
    'Error: sysfsgpio: No such file or directory', level='Warn', only=['v0.11.0', 'v0.12.0'])
add('probe-busy', 'decisive', SYSFSGPIO, 'is already exported',
    "gpio 11 is already exported\\nError: Couldn't set direction for gpio 11\\n"
    'sysfsgpio: : No such file or directory', level='Warn', only=['v0.9.0', 'v0.10.0'])

# ---- adapters that are a server: remote_bitbang (a simulator, a bridge on another host),
# jtag_vpi and jtag_dpi (an HDL simulation); nothing listening is the adapter not being there
RBB = D + 'remote_bitbang.c'
add('probe-not-found', 'decisive', RBB, 'LOG_ERROR("Failed to connect: %s"',
    'Failed to connect: Connection refused')
add('probe-not-found', 'decisive', RBB, 'log_socket_error("Failed to connect")',
    "Error on socket 'Failed to connect': errno==111, message: Connection refused.")
add('probe-not-found', 'decisive', RBB, 'LOG_ERROR("connect: %s"',
    'connect: No such file or directory')
add('probe-not-found', 'decisive', RBB, 'log_socket_error("connect")',
    "Error on socket 'connect': errno==2, message: No such file or directory.")
add('probe-not-found', 'decisive', D + 'jtag_vpi.c', "Can't connect to %s : %u",
    "Can't connect to 127.0.0.1 : 5555", only=['v0.9.0', 'v0.10.0', 'v0.11.0'])
# jtag_dpi (a SystemVerilog DPI simulation, 0.11+) prints the same words
add('probe-not-found', 'decisive', D + 'jtag_dpi.c', '"Can\'t connect to %s : %" PRIu16',
    "Can't connect to 127.0.0.1 : 5555")
add('probe-not-found', 'decisive', D + 'jtag_vpi.c', "jtag_vpi: Can't connect to %s : %u",
    "jtag_vpi: Can't connect to 127.0.0.1 : 5555")

# ---- USB adapters of other vendors
add('probe-not-found', 'shared', D + 'xds110.c', 'XDS110: failed to connect',
    'XDS110: failed to connect', alt='usb-permission')
add('probe-not-found', 'decisive', D + 'nulink_usb.c', 'unable to find Nu-Link',
    'unable to find Nu-Link')
add('usb-permission', 'shared', D + 'nulink_usb.c', 'unable to open Nu-Link device 0x%',
    'unable to open Nu-Link device 0x416:0x511d', alt='probe-busy')
add('probe-not-found', 'decisive', D + 'osbdm.c', "Can't open OSBDM device",
    "Can't open OSBDM device")
add('probe-not-found', 'decisive', D + 'ulink.c', 'Could not open ULINK device',
    'Could not open ULINK device')
# no low-level driver built in (ublast_init: each drv_register only returns its table; the
# device is opened after it), or the configured one is not among them
add('probe-driver-missing', 'decisive', D + 'usb_blaster/usb_blaster.c',
    'No lowlevel driver available', 'No lowlevel driver available')
add('probe-driver-missing', 'decisive', D + 'usb_blaster/usb_blaster.c',
    'LOG_ERROR("no lowlevel driver found");', 'no lowlevel driver found')
# a serial-port adapter: the port may not be opened (group dialout) or is not there
add('usb-permission', 'shared', D + 'buspirate.c', 'Could not open serial port',
    'Could not open serial port', alt='probe-not-found')
# ppdev's open with errno EACCES, and ioperm without root for direct port access
PARPORT = [D + 'parport.c', D + 'gw16012.c', D + 'amt_jtagaccel.c']
add('usb-permission', 'decisive', D + 'parport.c', 'user read and write rights are set. errno=%d',
    'cannot open device. check it exists and that user read and write rights are set. errno=13')
add('usb-permission', 'decisive', PARPORT, 'missing privileges for direct i/o',
    'missing privileges for direct i/o')

# ---- other vendors' flash drivers: a part their tables do not know, a config for another core
SAM34 = ['src/flash/nor/at91sam3.c', 'src/flash/nor/at91sam4.c']
for f, fam in zip(SAM34, ('SAM3', 'SAM4')):
    add('unsupported-device', 'shared', f, 'not found in table (perhaps you can ID this chip?)',
        f'{fam} ChipID 0x29a70ee0 not found in table (perhaps you can ID this chip?)',
        alt='wrong-target-config')
add('unsupported-device', 'shared', 'src/flash/nor/psoc4.c', 'Cannot identify PSoC 4 family.',
    'Cannot identify PSoC 4 family.', alt='wrong-target-config')
add('unsupported-device', 'shared', 'src/flash/nor/efm32.c', 'Unknown MCU family %d',
    'Unknown MCU family 255', alt='wrong-target-config')
# a core other than M3/M4/M0+: a Series 2 part (Cortex-M33) the driver does not know, or
# another vendor's chip under an efm32 bank
add('unsupported-device', 'shared', 'src/flash/nor/efm32.c', 'Target is not Cortex-Mx Device',
    'Target is not Cortex-Mx Device', alt='wrong-target-config')
# an LPC boot ROM's IAP status 19 (CMD_CRP_ENABLED): Code Read Protection
for key in ('lpc2000 prepare sectors returned %i', 'lpc2000 erase sectors returned %i',
            'lpc2000 returned %i'):
    add('vendor-protected', 'decisive', 'src/flash/nor/lpc2000.c', key,
        key.replace('%i', '19'), level='Warn')

# ---- target code: RISC-V and Xtensa debug modules, multi-drop SWD, JTAG IR capture
RV013 = 'src/target/riscv/riscv-013.c'
add('vendor-protected', 'decisive', RV013, 'Debugger is not authenticated to target Debug Module.',
    'Debugger is not authenticated to target Debug Module. (dmstatus=0x3). Use `riscv '
    'authdata_read` and `riscv authdata_write` commands to authenticate.')
add('core-halt-timeout', 'shared', RV013, 'Fatal: Hart %d failed to halt during examine()',
    'Fatal: Hart 0 failed to halt during examine()', alt='target-low-power',
    also=['openocd-riscv', 'openocd-esp32', 'openocd-nuclei', 'openocd-rpi'])
add('core-halt-timeout', 'shared', RV013, '"unable to halt hart %d"', 'unable to halt hart 1',
    alt='target-low-power', also=['openocd-riscv', 'openocd-esp32', 'openocd-nuclei', 'openocd-rpi'])
add('swd-unreachable', 'decisive', 'src/target/adi_v5_swd.c', 'Failed to select multidrop %s',
    'Failed to select multidrop rp2040.dap0')
add('target-low-power', 'shared', 'src/target/xtensa/xtensa.c', 'Unexpected OCD_ID = %08',
    'Unexpected OCD_ID = 00000000', alt='swd-unreachable')
add('swd-comm-errors', 'shared', 'src/jtag/core.c', 'IR capture error; saw 0x%0*',
    'riscv.cpu: IR capture error; saw 0x11 not 0x01', alt='wrong-target-config')


# ---- lines of these drivers the engine read right before rules_drv.inc: kept here so a rule
# change that loses one shows
for f, msg in (('arm-jtag-ew', 'Cannot find ARM-JTAG-EW Interface! Please check connection and '
                'permissions.'),
               ('opendous', 'Cannot find opendous Interface! Please check connection and '
                'permissions.'),
               ('usbprog', "Can't find USB JTAG Interface! Please check connection and "
                'permissions.'),
               ('vsllink', "Can't find USB JTAG Interface! Please check connection and "
                'permissions.'),
               ('kitprog', "Can't find a KitProg device! Please check device connections and "
                'permissions.')):
    add('probe-not-found', 'decisive', D + f + '.c', msg.split('!')[0] + '!', msg)
NRF5 = 'src/flash/nor/nrf5.c'
add('vendor-protected', 'decisive', NRF5, 'Write refused, sector %d is protected',
    'Write refused, sector 0 is protected')
add('vendor-protected', 'decisive', NRF5, 'Flash sector %d is protected', 'Flash sector 0 is protected')
add('vendor-protected', 'decisive', 'src/flash/nor/at91sam4.c', 'SAM4: Lock Region %u is locked',
    'SAM4: Lock Region 0 is locked')
add('vendor-protected', 'decisive', 'src/flash/nor/efm32.c', 'LOG_ERROR("Page is locked")',
    'Page is locked')
KINETIS = 'src/flash/nor/kinetis.c'
add('vendor-protected', 'decisive', KINETIS, 'Flash operation failed, protection violated',
    'Flash operation failed, protection violated')
add('vendor-protected', 'decisive', KINETIS, 'MDM: mass erase is disabled',
    'MDM: mass erase is disabled')
add('vendor-protected', 'decisive', KINETIS, 'Mass erase of a secured MCU is not possible',
    'Mass erase of a secured MCU is not possible without hardware reset.', level='Info')


# ---- msgtgt: the target, flash and server side, read from the source (issue 14): every
# LOG_ERROR/LOG_WARNING/command_print of a failure in src/target/{target,arm_adi_v5,adi_v5_swd,
# adi_v5_jtag,arm_dap,cortex_m,armv7m,hla_target,image}.c, src/flash/nor/{core,tcl,stm32f1x,
# stm32f2x,stm32l4x,stm32h7x,stm32lx}.c, src/helper/{fileio,command}.c and src/server/
# gdb_server.c at 0.9-0.12, with the code path that reaches it. Most name no cause the engine
# knows (a Tcl usage error, an image file's format, an allocation) and are left out; these
# are the ones whose path admits one cause (decisive), two (shared) or that only follow
# another failure's own line (cascade).
ADIV5 = 'src/target/arm_adi_v5.c'
JDP = 'src/target/adi_v5_jtag.c'
CM = 'src/target/cortex_m.c'
FTCL = 'src/flash/nor/tcl.c'
# a flash bank the config declares at a base the part does not have (ERROR_FAIL in the probe)
add('wrong-target-config', 'decisive', H7, 'this device has a single bank only',
    'this device has a single bank only')
add('wrong-target-config', 'decisive', H7, '" but should rather be 0x%"',
    'STM32H7 flash bank base address config is incorrect. 0x08080000 but should rather be '
    '0x08000000 or 0x08100000')
add('wrong-target-config', 'decisive', H7, '" but should be 0x%"',
    'STM32H7 flash bank base address config is incorrect. 0x08100000 but should be 0x08000000')
add('wrong-target-config', 'decisive', LX, 'STM32L flash bank base address config is incorrect.',
    'STM32L flash bank base address config is incorrect. 0x08040000 but should rather be '
    '0x08000000 or 0x08030000', level='Warn')
# F1 FLASH_OBR as options_read prints it: bit 1 (OPT_READOUT) is the readout protection
add('readout-protected', 'decisive', F1, 'option byte register = 0x%',
    'option byte register = 0x3fffffe', level='')
add('readout-protected', 'decisive', F1, 'Option Byte: 0x%', 'Option Byte: 0x3fffffe', level='')
# flash fill's read-back
add('verify-mismatch', 'decisive', FTCL, 'Verification error address',
    'Verification error address 0x08000000, read back 0xff, expected 0x00')
# a flash driver the release predates, named by the stock config of a newer part
add('openocd-too-old', 'decisive', FTCL, 'flash driver \'%s\' not found',
    'flash driver \'stm32l4x\' not found', only=['v0.9.0'])
# a subcommand of a command group the release has, that only a later release brought (the
# release in the banner read against it): 0.9-0.10 startup.tcl's ocd_bouncer, 0.11 run_usage
add('openocd-too-old', 'decisive', ['src/helper/command.c', 'src/helper/startup.tcl'],
    'invalid subcommand', 'Open On-Chip Debugger {release}\\ninvalid subcommand "create '
    'stm32f1x.dap -chain-position stm32f1x.cpu"', level='', only=['v0.9.0', 'v0.10.0'])
add('openocd-too-old', 'decisive', ['src/helper/command.c', 'src/helper/startup.tcl'],
    'invalid subcommand', 'Open On-Chip Debugger {release}\\nError: invalid subcommand "serial '
    '066DFF"', level='', only=['v0.11.0'])
# FLASH_SR WRPERR (F2/F4/F7 and L4 bit 4, H7 bit 17): WRP and RDP both raise it
add('write-protected', 'shared', F2, 'flash write failed = %08', 'flash write failed = 00000010',
    alt='readout-protected')
add('write-protected', 'shared', F2, 'flash write failed = 0x%08',
    'flash write failed = 0x00000010', alt='readout-protected')
add('write-protected', 'shared', L4, 'flash write failed = %08', 'flash write failed = 00000010',
    alt='readout-protected')
add('write-protected', 'shared', H7, 'flash write failed, FLASH_SR = 0x%08',
    'flash write failed, FLASH_SR = 0x00020000', alt='readout-protected')
add('write-protected', 'shared', H7, 'wait_flash_op_queue, WRPERR detected',
    'wait_flash_op_queue, WRPERR detected', alt='readout-protected')
add('write-protected', 'shared', H7, 'flash memory write protected', 'flash memory write protected',
    alt='readout-protected')
# a read_bank/verify_bank/write_bank past the end of the bank the flash-size register gave
add('flash-size-mismatch', 'shared', FTCL, '" is out of range of the flash bank", length',
    'Length of 131072 bytes with offset 0x00000000 is out of range of the flash bank',
    alt='wrong-target-config')
add('flash-size-mismatch', 'shared', FTCL, 'Offset 0x%8.8',
    'Offset 0x00020000 is out of range of the flash bank', alt='wrong-target-config')
add('flash-size-mismatch', 'shared', LX, 'STM32L flash size failed, probe inaccurate',
    'STM32L flash size failed, probe inaccurate - assuming 512k flash', level='Warn',
    alt='swd-comm-errors')
# the flash drivers' 'flash info' (0.12) for a dev id their tables lack
add('unsupported-device', 'shared', F1, 'Cannot identify target as a STM32F0/1/3',
    'Cannot identify target as a STM32F0/1/3', level='', alt='wrong-target-config')
add('unsupported-device', 'shared', F2, 'Cannot identify target as a STM32F2/4/7',
    'Cannot identify target as a STM32F2/4/7', level='', alt='wrong-target-config')
add('unsupported-device', 'shared', L4, 'Cannot identify target as an %s device',
    'Cannot identify target as an STM32G0/G4/L4/L4+/L5/U5/WB/WL device', level='',
    alt='wrong-target-config')
add('unsupported-device', 'shared', H7, 'Cannot identify target as a STM32H7x',
    'Cannot identify target as a STM32H7x', level='', alt='wrong-target-config')
add('unsupported-device', 'shared', L4, 'Cannot identify target as a STM32L4 family.',
    'Cannot identify target as a STM32L4 family.', level='Warn', alt='wrong-target-config')
# the debug port (its multi-drop connect is above, now shared): the debug power domain lost,
# an AP that answered WAIT for a second, a read whose TAR could not be read back either
add('core-halt-timeout', 'shared', JDP, 'Debug regions are unpowered',
    'Debug regions are unpowered, an unexpected reset might have happened',
    alt='target-low-power')
add('target-low-power', 'shared', JDP, 'Timeout during WAIT recovery',
    'Timeout during WAIT recovery', alt='swd-comm-errors')
add('target-low-power', 'shared', JDP, 'Timeout (1000ms) waiting',
    'Timeout (1000ms) waiting for ACK=OK/FAULT in JTAG-DP transaction - aborting', level='Warn',
    alt='swd-comm-errors')
add('swd-comm-errors', 'shared', ADIV5, 'Failed to read memory and, additionally',
    'Failed to read memory and, additionally, failed to find out where', alt='target-unpowered')
add('swd-comm-errors', 'shared', ADIV5, 'Failed to write memory and, additionally',
    'Failed to write memory and, additionally, failed to find out where', alt='target-unpowered')
add('readout-protected', 'shared', 'src/flash/nor/core.c', 'error reading to flash at address',
    'error reading to flash at address 0x08000000 at offset 0x00000000', alt='swd-comm-errors')
add('readout-protected', 'shared', ADIV5, 'Failed to read memory at ',
    'Failed to read memory at 0x08000000', alt='swd-comm-errors')
# a read of the flash that failed: mem2array (the 0.9-0.11 scripts' read) and read_memory
# (0.12); flash read_bank's and verify_bank's own words after core.c's
add('readout-protected', 'shared', 'src/target/target.c', 'mem2array: Read @ ',
    'mem2array: Read @ 0x08000000, w=4, cnt=256, failed', alt='swd-comm-errors')
add('readout-protected', 'shared', 'src/target/target.c', 'read_memory: read at ',
    'read_memory: read at 0x08000000 with width=32 and count=256 failed', alt='swd-comm-errors')
add('readout-protected', 'cascade', FTCL, 'LOG_ERROR("Read error")', 'Read error')
add('readout-protected', 'cascade', FTCL, 'LOG_ERROR("Flash read error")', 'Flash read error')
# lines that only follow a failure printed with its own words: an examine that failed
# (the connect's line), a write the flash controller refused (the driver's status line)
add('swd-unreachable', 'cascade', CM, 'Target not examined, reset NOT asserted!',
    'Target not examined, reset NOT asserted!')
add('swd-unreachable', 'cascade', CM, 'Target not examined, will not halt after reset!',
    'Target not examined, will not halt after reset!')
add('swd-unreachable', 'cascade', CM, 'Debug AP not available, reset NOT asserted!',
    '[stm32f1x.cpu] Debug AP not available, reset NOT asserted!')
add('swd-unreachable', 'cascade', CM, 'Debug AP not available, will not halt after reset!',
    '[stm32f1x.cpu] Debug AP not available, will not halt after reset!')
add('swd-unreachable', 'cascade', 'src/server/gdb_server.c', 'not examined yet, refuse gdb',
    'Target stm32f1x.cpu not examined yet, refuse gdb connection 0!')
add('write-protected', 'cascade', 'src/target/target.c', 'flash write algorithm aborted by target',
    'flash write algorithm aborted by target')
add('write-protected', 'cascade', 'src/flash/nor/core.c', 'error writing to flash at address',
    'error writing to flash at address 0x08000000 at offset 0x00000000')
add('write-protected', 'cascade', F1, 'flash write failed at address 0x%',
    'flash write failed at address 0x8000000')
add('write-protected', 'cascade', F1, 'flash write failed just before address 0x%',
    'flash write failed just before address 0x8000400')
add('write-protected', 'cascade', F2, 'error executing stm32x flash write algorithm',
    'error executing stm32x flash write algorithm')
add('write-protected', 'cascade', L4, 'error executing stm32l4 flash write algorithm',
    'error executing stm32l4 flash write algorithm')
add('write-protected', 'cascade', H7, 'error executing stm32h7x flash write algorithm',
    'error executing stm32h7x flash write algorithm')
add('write-protected', 'cascade', 'src/server/gdb_server.c', 'flash_erase returned %i',
    'flash_erase returned -4')
# stm32h7x.c: an erase after stm32x_wait_flash_op_queue's own line ('WRPERR detected', or
# its time-out), and a flash register access after the memory access's own failure
add('write-protected', 'cascade', H7, 'erase time-out or operation error sector %u',
    'erase time-out or operation error sector 0')
add('swd-comm-errors', 'cascade', H7, 'error while reading from address 0x%',
    'error while reading from address 0x52002010')
add('swd-comm-errors', 'cascade', H7, 'error while writing to address 0x%',
    'error while writing to address 0x5200200c')
add('swd-comm-errors', 'cascade', H7, 'LOG_ERROR("Error erase sector %u", i)', 'Error erase sector 0')
# ==== adapter and USB side, walked whole (issue 14): every LOG_ERROR/LOG_WARNING and failure
# print of stlink_usb.c, jlink.c, cmsis_dap*.c, ftdi.c, mpsse.c, libusb_helper.c, hla_*.c,
# adapter.c, transport.c, jtag/core.c, server.c at 0.9-0.12 and of dfu-util 0.9-0.11, read
# with the code path that reaches it; only the lines the engine read otherwise before
# rules_adp.inc are here (the rest are in the sections above, or name no cause it knows)
# -- the probe: several J-Links and none named (dfu-util's 'More than one DFU capable USB
# device found!' counts interfaces and alt settings, not devices: it names no cause here)
add('probe-not-found', 'decisive', JLINK, 'Multiple devices found, specify the desired device',
    'Multiple devices found, specify the desired device')
# -- the probe cannot do what was asked: 0.9's J-Link interface mask (bit 1 SWD missing),
# a CMSIS-DAP without JTAG (capabilities, or DAP_Connect answering another port than 2),
# an ST-LINK firmware without banked DP registers
add('probe-driver-missing', 'decisive', JLINK, 'J-Link requesting to select unsupported interface',
    'J-Link requesting to select unsupported interface (1)')
# (0.9-0.11 keep the capabilities at 0 for DAP 2.1's two-byte answer: shared, as for SWD)
add('probe-driver-missing', 'shared', CMSIS, 'CMSIS-DAP: JTAG not supported',
    'CMSIS-DAP: JTAG not supported', alt='openocd-too-old')
add('probe-driver-missing', 'decisive', CMSIS, 'CMSIS-DAP failed to connect in mode',
    'CMSIS-DAP failed to connect in mode (2)')
add('probe-driver-missing', 'decisive', STLINK, 'Banked DP registers not supported in current STLink FW',
    'Banked DP registers not supported in current STLink FW')
# -- no adapter driver at init: no interface config ran (adapter_init; core.c before 0.12)
add('config-not-found', 'decisive', ['src/jtag/core.c', 'src/jtag/adapter.c'],
    'Debug Adapter has to be specified', 'Debug Adapter has to be specified, see "interface" '
    'command', only=['v0.9.0', 'v0.10.0'])
add('config-not-found', 'decisive', ['src/jtag/core.c', 'src/jtag/adapter.c'],
    'Debug Adapter has to be specified', 'Debug Adapter has to be specified, see "adapter '
    'driver" command', only=['v0.11.0', 'v0.12.0'])
# -- a CMSIS-DAP listed with the ids asked for, gone when opened (libusb_strerror); libusb's
# Linux backend says the same for a usbfs node missing in a container (get_usbfs_fd, ENOENT)
add('probe-not-found', 'shared', CMSIS, 'could not open device 0x%04x:0x%04x',
    'could not open device 0xc251:0xf001: No such device (it may have been disconnected)',
    alt='usb-permission')
add('probe-not-found', 'decisive', CMSIS, 'could not claim interface: %s',
    'could not claim interface: No such device (it may have been disconnected)', level='Warn')
# -- J-Link's SWD read parity (0.10-0.11 end it with a full stop)
add('swd-comm-errors', 'decisive', JLINK, 'SWD: Read data parity mismatch',
    'SWD: Read data parity mismatch.', only=['v0.10.0', 'v0.11.0'])
add('swd-comm-errors', 'decisive', JLINK, 'SWD: Read data parity mismatch',
    'SWD: Read data parity mismatch', only=['v0.12.0'])
# -- dfu-util: the reset after a finished download fails on a device that already left
# (main.c's final reset: 0.9 errx without the error name; dfu_load.c prints to stderr bare)
add('dfu-leave-quirk', 'decisive', DFU, '"error resetting after download")',
    'error resetting after download', level='dfu-util', only=['v0.9'])
add('dfu-leave-quirk', 'decisive', DFU, 'error resetting after download: %s',
    'error resetting after download: LIBUSB_ERROR_NO_DEVICE', level='dfu-util')
add('dfu-leave-quirk', 'decisive', DFU, 'error resetting after download (%s)',
    'Resetting USB to switch back to runtime mode\\nerror resetting after download '
    '(LIBUSB_ERROR_NO_DEVICE)', level='', tool='dfu-util')
# -- dfu-util: no DFU-mode device after the detach and bus reset (on Windows the DFU-mode
# ids may have no driver); a DFU-mode claim refused with ACCESS (macOS: another holder)
add('probe-not-found', 'shared', DFU, 'Lost device after RESET?', 'Lost device after RESET?',
    level='dfu-util', alt='probe-driver-missing')
add('probe-busy', 'shared', DFU, 'Cannot claim interface - %s',
    'Cannot claim interface - LIBUSB_ERROR_ACCESS', level='dfu-util', alt='probe-driver-missing')
# -- cascades: what jtag_examine_chain and jtag_init_inner add after the failure they report,
# and OpenOCD's own line after libjaylink's (jaylink_strerror of the JAYLINK_ERR it returned)
add('swd-unreachable', 'cascade', 'src/jtag/core.c', 'Check JTAG interface, timings, target power',
    'Check JTAG interface, timings, target power, etc.')
add('swd-unreachable', 'cascade', 'src/jtag/core.c', 'Trying to use configured scan chain anyway',
    'Trying to use configured scan chain anyway...')
add('swd-unreachable', 'cascade', 'src/jtag/core.c', 'Bypassing JTAG setup events due to errors',
    'Bypassing JTAG setup events due to errors', level='Warn')
add('swd-comm-errors', 'cascade', 'src/jtag/core.c', 'double-check your JTAG setup',
    'double-check your JTAG setup (interface, speed, ...)')
add('usb-permission', 'cascade', JLINK, 'Failed to open device: %s.',
    'Failed to open device: unspecified error.', only=['v0.10.0', 'v0.11.0'])
add('usb-permission', 'cascade', JLINK, 'Failed to open device: %s',
    'Failed to open device: unspecified error', only=['v0.12.0'])
# CMSIS-DAP's commands after a USB transfer failed ('error writing data: ...' first)
for cmd in ('CMD_DAP_SWJ_CLOCK', 'CMD_DAP_SWJ_PINS', 'CMD_TFER_Configure', 'CMD_SWD_Configure',
            'CMD_LED', 'CMD_DISCONNECT'):
    add('probe-not-found', 'cascade', CMSIS, f'CMSIS-DAP command {cmd} failed.',
        f'CMSIS-DAP command {cmd} failed.')


def grep(git_dir, tag, key, files):
    for path in files:
        r = subprocess.run(['git', '-C', git_dir, 'grep', '-n', '-F', '-e', key, tag, '--', path],
                           capture_output=True, text=True)
        for hit in r.stdout.splitlines():
            # tag:path:line:text
            _, p, line, _ = hit.split(':', 3)
            return f'{p}:{line}'
    return None


def main():
    forks = [name for name, (arg, _, _) in FORKS.items() if arg]
    if len(sys.argv) != 5 + len(forks):
        sys.exit('usage: catalogue.py OPENOCD_GIT_DIR DFU_UTIL_GIT_DIR ST_OPENOCD_GIT_DIR '
                 'ESP32_OPENOCD_GIT_DIR ' + ' '.join(FORKS[f][0] for f in forks))
    openocd, dfu, st, esp = sys.argv[1:5]
    clones = dict(zip(forks, sys.argv[5:]))
    # tool: its clone, its tags, and the version column a tag is named by
    sources = {'openocd': (openocd, OPENOCD_TAGS, lambda t: 'openocd-' + t[1:]),
               'dfu-util': (dfu, DFU_TAGS, lambda t: 'dfu-util-' + t[1:]),
               'openocd-st': (st, ST_TAGS, lambda t: t.replace('openocd-', 'openocd-st-')),
               'openocd-esp32': (esp, ESP32_TAGS, lambda t: 'openocd-' + t.split('-', 1)[1])}
    for name, (arg, tags, version) in FORKS.items():
        sources[name] = (clones[name] if arg else openocd, tags, version)
    print('# Generated by tests/diag-logs/catalogue.py from the OpenOCD, dfu-util, ST, Espressif')
    print('# and other forks\' sources: do not edit, regenerate. Front-end rows:')
    print('# catalogue-front.tsv (hand-kept).')
    print('# version\tsource\tclass\tkind\talt\tlevel\tmessage')
    missing = []
    for cls, kind, alt, level, files, key, message, only, tools in E:
        found = 0
        for n, tool in enumerate(tools):
            git_dir, tags, version = sources[tool]
            for tag in (only if only and n == 0 else tags):
                where = grep(git_dir, tag, key.replace('\\n', '\n').split('\n')[0], files)
                if where:
                    found += 1
                    text = message.replace('{release}', tag[1:])
                    print(f'{version(tag)}\t{where}\t{cls}\t{kind}\t{alt}\t{level or "-"}\t{text}')
        if not found:
            missing.append(key)
    for key in missing:
        print(f'catalogue: {key!r} is in no tag', file=sys.stderr)
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
