/**
 * Scheduling helpers (Twisted's `twisted.internet.task`): `LoopingCall`, `deferLater`, `Cooperator` /
 * `cooperate`, and `react` for scripts. Re-exported by `torsion/internet`.
 * @module
 */
export { LoopingCall } from './looping-call.js';
export { deferLater } from './defer-later.js';
export {
  Cooperator,
  CooperativeTask,
  cooperate,
  coiterate,
  getCooperator,
  SchedulerError,
  TaskDone,
  TaskStopped,
  TaskFailed,
  SchedulerStopped,
  NotPaused,
  type CooperatorOptions,
  type CooperatorScheduler,
} from './cooperator.js';
export { react, ExitStatus, type ReactOptions } from './react.js';
