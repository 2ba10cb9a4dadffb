/**
 * DCGM exporter collector sets: which DCGM fields the exporter watches, rendered as its CSV format
 * (`DCGM FIELD, Prometheus metric type, help message`).
 *
 * Source of the field lists: NVIDIA/dcgm-exporter tag `4.5.3-4.8.2` (commit 691c9276, Apache-2.0),
 * `etc/default-counters.csv` and `etc/dcp-metrics-included.csv` — at that tag both enable the same 26 fields
 * (../shared/reference/dcgm-fields.md). The five `DCGM_FI_PROF_*` fields among them are datacenter-profiling
 * (DCP) fields: on GPUs before Hopper they use the driver's profiling interface, which the driver restricts to
 * administrators unless `NVreg_RestrictProfilingToAdminUsers=0` (NVIDIA/DCGM issue #106); without `SYS_ADMIN` the
 * exporter logs "doesn't have sufficient privileges to expose profiling metrics" and drops them
 * (NVIDIA/dcgm-exporter PR #427, issue #165). So {@link DcgmCollectors.basic} leaves them out and needs no capability.
 */
import { GpuConfigError } from '../errors';
import { DCGM_METRIC_TYPE } from '../private/enum-specs';
import { checkEnum } from '../private/enum-values';

/** Prometheus type of a DCGM field in the collectors CSV. */
export enum DcgmMetricType {
  /** A value that goes up and down. */
  GAUGE = 'gauge',
  /** A monotonically increasing count. */
  COUNTER = 'counter',
  /** Not a series: becomes a label on every other series (e.g. the driver version). */
  LABEL = 'label',
}

/** One line of the collectors CSV. */
export interface DcgmField {
  /** The DCGM field name, also the Prometheus metric name, e.g. `DCGM_FI_DEV_GPU_UTIL`. */
  readonly field: string;
  /** Its Prometheus type. */
  readonly type: DcgmMetricType;
  /** Help text. */
  readonly help: string;
}

const f = (field: string, type: DcgmMetricType, help: string): DcgmField => ({ field, type, help });
const G = DcgmMetricType.GAUGE;
const C = DcgmMetricType.COUNTER;

/** The 21 non-profiling fields enabled in dcgm-exporter 4.5.3-4.8.2 `etc/default-counters.csv` (in file order). */
const UPSTREAM_BASIC: DcgmField[] = [
  f('DCGM_FI_DEV_SM_CLOCK', G, 'SM clock frequency (in MHz).'),
  f('DCGM_FI_DEV_MEM_CLOCK', G, 'Memory clock frequency (in MHz).'),
  f('DCGM_FI_DEV_MEMORY_TEMP', G, 'Memory temperature (in C).'),
  f('DCGM_FI_DEV_GPU_TEMP', G, 'GPU temperature (in C).'),
  f('DCGM_FI_DEV_POWER_USAGE', G, 'Power draw (in W).'),
  f('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', C, 'Total energy consumption since boot (in mJ).'),
  f('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', C, 'Total number of PCIe retries.'),
  f('DCGM_FI_DEV_GPU_UTIL', G, 'GPU utilization (in %).'),
  f('DCGM_FI_DEV_MEM_COPY_UTIL', G, 'Memory utilization (in %).'),
  f('DCGM_FI_DEV_ENC_UTIL', G, 'Encoder utilization (in %).'),
  f('DCGM_FI_DEV_DEC_UTIL', G, 'Decoder utilization (in %).'),
  f('DCGM_FI_DEV_XID_ERRORS', G, 'Value of the last XID error encountered.'),
  f('DCGM_FI_DEV_FB_FREE', G, 'Framebuffer memory free (in MiB).'),
  f('DCGM_FI_DEV_FB_USED', G, 'Framebuffer memory used (in MiB).'),
  f('DCGM_FI_DEV_FB_RESERVED', G, 'Framebuffer memory reserved (in MiB).'),
  f('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', C, 'Total number of NVLink bandwidth counters for all lanes.'),
  f('DCGM_FI_DEV_VGPU_LICENSE_STATUS', G, 'vGPU License status'),
  f('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', C, 'Number of remapped rows for uncorrectable errors'),
  f('DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', C, 'Number of remapped rows for correctable errors'),
  f('DCGM_FI_DEV_ROW_REMAP_FAILURE', G, 'Whether remapping of rows has failed'),
  f('DCGM_FI_DRIVER_VERSION', DcgmMetricType.LABEL, 'Driver Version'),
];

/** The 5 DCP (profiling) fields enabled in both upstream CSVs at 4.5.3-4.8.2 (in file order). */
const UPSTREAM_DCP: DcgmField[] = [
  f('DCGM_FI_PROF_GR_ENGINE_ACTIVE', G, 'Ratio of time the graphics engine is active.'),
  f('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', G, 'Ratio of cycles the tensor (HMMA) pipe is active.'),
  f('DCGM_FI_PROF_DRAM_ACTIVE', G, 'Ratio of cycles the device memory interface is active sending or receiving data.'),
  f('DCGM_FI_PROF_PCIE_TX_BYTES', G, 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.'),
  f('DCGM_FI_PROF_PCIE_RX_BYTES', G, 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.'),
];

/**
 * Throttling counters the thermal alert reads. Listed but commented out in both upstream CSVs ("Errors and
 * violations"); they need no capability.
 */
const VIOLATIONS: DcgmField[] = [
  f('DCGM_FI_DEV_POWER_VIOLATION', C, 'Throttling duration due to power constraints (in ns).'),
  f('DCGM_FI_DEV_THERMAL_VIOLATION', C, 'Throttling duration due to thermal constraints (in ns).'),
];

/**
 * The exporter's windowed XID count (`DCGM_EXP_XID_ERRORS_COUNT`, labels `err_code`/`err_msg`): how many times each
 * XID was reported during the last `--xid-count-window-size` (`DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE`, default
 * 300000 ms). Commented out in `default-counters.csv` and absent from `dcp-metrics-included.csv` (the GPU Operator's
 * default), so neither exporter reports it unless the collectors CSV enables it. The XID alerts read it.
 */
const XID_COUNT: DcgmField = f('DCGM_EXP_XID_ERRORS_COUNT', C, 'Count of XID errors reported during the last window.');

/**
 * Fields listed but commented out in dcgm-exporter 4.5.3-4.8.2 `etc/default-counters.csv`: not collected unless a
 * CSV enables them. A query may read them; DcgmMonitoring then adds them to the CSV it writes.
 */
const UPSTREAM_COMMENTED: DcgmField[] = [
  f('DCGM_FI_DEV_SYNC_BOOST_VIOLATION', C, 'Throttling duration due to sync-boost constraints (in ns).'),
  f('DCGM_FI_DEV_BOARD_LIMIT_VIOLATION', C, 'Throttling duration due to board limit constraints (in ns).'),
  f('DCGM_FI_DEV_LOW_UTIL_VIOLATION', C, 'Throttling duration due to low utilization (in ns).'),
  f('DCGM_FI_DEV_RELIABILITY_VIOLATION', C, 'Throttling duration due to reliability constraints (in ns).'),
  f('DCGM_EXP_CLOCK_EVENTS_COUNT', C, 'reported clock events'),
  f('DCGM_EXP_GPU_HEALTH_STATUS', C, 'DCGM reported health status'),
  f('DCGM_EXP_P2P_STATUS', C, 'P2P NvLink status'),
  f('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', C, 'Total number of single-bit volatile ECC errors.'),
  f('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', C, 'Total number of double-bit volatile ECC errors.'),
  f('DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', C, 'Total number of single-bit persistent ECC errors.'),
  f('DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', C, 'Total number of double-bit persistent ECC errors.'),
  f('DCGM_FI_DEV_RETIRED_SBE', C, 'Total number of retired pages due to single-bit errors.'),
  f('DCGM_FI_DEV_RETIRED_DBE', C, 'Total number of retired pages due to double-bit errors.'),
  f('DCGM_FI_DEV_RETIRED_PENDING', C, 'Total number of pages pending retirement.'),
  f('DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL', C, 'Total number of NVLink flow-control CRC errors.'),
  f('DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL', C, 'Total number of NVLink data CRC errors.'),
  f('DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL', C, 'Total number of NVLink retries.'),
  f('DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL', C, 'Total number of NVLink recovery errors.'),
  f('DCGM_FI_PROF_SM_ACTIVE', G, 'The ratio of cycles an SM has at least 1 warp assigned.'),
  f('DCGM_FI_PROF_SM_OCCUPANCY', G, 'The ratio of number of warps resident on an SM.'),
  f('DCGM_FI_PROF_PIPE_FP64_ACTIVE', G, 'Ratio of cycles the fp64 pipes are active.'),
  f('DCGM_FI_PROF_PIPE_FP32_ACTIVE', G, 'Ratio of cycles the fp32 pipes are active.'),
  f('DCGM_FI_PROF_PIPE_FP16_ACTIVE', G, 'Ratio of cycles the fp16 pipes are active.'),
];

/** Every field this library knows the CSV line of (to add a field a query reads), by name. */
const KNOWN_FIELDS: ReadonlyMap<string, DcgmField> = new Map(
  [...UPSTREAM_BASIC, ...VIOLATIONS, XID_COUNT, ...UPSTREAM_DCP, ...UPSTREAM_COMMENTED].map((x) => [x.field, x]));

/**
 * The fields the exporters collect when no CSV is given: dcgm-exporter's `default-counters.csv` and the GPU Operator's
 * `dcp-metrics-included.csv` enable the same 26 fields at 4.5.3-4.8.2 (../shared/reference/dcgm-fields.md). @internal
 */
export const _UPSTREAM_DEFAULT_FIELDS: readonly string[] = [...UPSTREAM_BASIC, ...UPSTREAM_DCP].map((x) => x.field);

const FIELD_NAME = /^DCGM_(FI|EXP)_[A-Z0-9_]+$/;

/**
 * A set of DCGM fields for the exporter to watch. Enum-like: start from {@link DcgmCollectors.basic} or
 * {@link DcgmCollectors.dcp} and add fields with {@link DcgmCollectors.withFields}.
 */
export class DcgmCollectors {
  /**
   * The upstream default fields without the DCP (`DCGM_FI_PROF_*`) ones, plus the power and thermal violation
   * counters the thermal alert reads and the windowed XID count the XID alerts read: 24 fields, no capability needed.
   */
  public static basic(): DcgmCollectors {
    return new DcgmCollectors('basic', [...UPSTREAM_BASIC, ...VIOLATIONS, XID_COUNT]);
  }

  /**
   * Every field of the upstream `default-counters.csv` / `dcp-metrics-included.csv` (dcgm-exporter 4.5.3-4.8.2,
   * identical field sets), including the 5 DCP fields (tensor-core, DRAM, graphics-engine activity, PCIe rates),
   * plus the violation counters and the windowed XID count. The exporter then needs `SYS_ADMIN` (added automatically).
   */
  public static dcp(): DcgmCollectors {
    return new DcgmCollectors('dcp', [...UPSTREAM_BASIC, ...VIOLATIONS, XID_COUNT, ...UPSTREAM_DCP]);
  }

  /** The fields, in CSV order. */
  public readonly fields: DcgmField[];

  private constructor(
    /** `basic`, `dcp`, or either with `+extra`. */
    public readonly name: string,
    fields: DcgmField[],
  ) {
    this.fields = fields;
  }

  /**
   * A copy with more fields (e.g. ECC counters, `DCGM_FI_PROF_SM_ACTIVE`); a field already present is refused.
   * @throws GpuConfigError on a malformed or duplicate field name, an unknown type or an empty help text
   */
  public withFields(extra: DcgmField[]): DcgmCollectors {
    const out = [...this.fields];
    (extra ?? []).forEach((e, i) => {
      const where = 'DcgmCollectors.withFields';
      if (typeof e?.field !== 'string' || !FIELD_NAME.test(e.field)) {
        throw new GpuConfigError(where, `extra[${i}].field`, `is ${JSON.stringify(e?.field)}, not a DCGM field name`, 'use the name from the DCGM field list, e.g. DCGM_FI_DEV_ECC_DBE_VOL_TOTAL');
      }
      checkEnum(where, `extra[${i}].type`, DCGM_METRIC_TYPE(), e.type);
      if (typeof e.help !== 'string' || e.help.trim() === '' || /[\n\r]/.test(e.help)) {
        throw new GpuConfigError(where, `extra[${i}].help`, 'is empty or spans lines', 'give a one-line help text');
      }
      if (out.some((x) => x.field === e.field)) {
        throw new GpuConfigError(where, `extra[${i}].field`, `is ${e.field}, already in the set`, 'drop the duplicate');
      }
      out.push({ field: e.field, type: e.type, help: e.help.trim() });
    });
    return new DcgmCollectors(this.name.includes('+') ? this.name : `${this.name}+extra`, out);
  }

  /** Whether any field is a DCP (profiling) field, so the exporter needs `SYS_ADMIN`. */
  public get needsProfiling(): boolean {
    return this.fields.some((x) => x.field.startsWith('DCGM_FI_PROF_'));
  }

  /** Whether the set contains `field`. */
  public has(field: string): boolean {
    return this.fields.some((x) => x.field === field);
  }

  /**
   * A copy that also collects `fields` (the fields queries read), taking each missing one's CSV line from the
   * upstream field list; fields this library has no line for are returned as `unknown` (not added).
   * @internal
   */
  public _including(fields: Iterable<string>): { collectors: DcgmCollectors; added: string[]; unknown: string[] } {
    const out = [...this.fields];
    const added: string[] = [];
    const unknown: string[] = [];
    for (const field of fields) {
      if (out.some((x) => x.field === field) || unknown.includes(field)) continue;
      const known = KNOWN_FIELDS.get(field);
      if (known) {
        out.push(known);
        added.push(field);
      } else {
        unknown.push(field);
      }
    }
    if (added.length === 0) return { collectors: this, added, unknown };
    return { collectors: new DcgmCollectors(this.name.includes('+') ? this.name : `${this.name}+read`, out), added, unknown };
  }

  /** The collectors CSV the exporter reads (`-f` / `DCGM_EXPORTER_COLLECTORS`). */
  public toCsv(): string {
    const lines = [
      '# DCGM FIELD, Prometheus metric type, help message',
      `# Generated by cdk8s-gpu (${this.name}); field list from NVIDIA/dcgm-exporter 4.5.3-4.8.2 etc/default-counters.csv`,
      ...this.fields.map((x) => `${x.field}, ${x.type}, ${x.help}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
