/** Every command id Headroom contributes; package.json's `contributes.commands` must match. */
export const enum CommandId {
  ShowTimeline = 'headroom.showTimeline',
  ShowLog = 'headroom.showLog',
  RunPythonFile = 'headroom.runPythonFile',
  RunCommand = 'headroom.runCommand',
  AttachProcess = 'headroom.attachProcess',
  StopMonitoring = 'headroom.stopMonitoring',
  OpenRecording = 'headroom.openRecording',
  ForceCleanup = 'headroom.forceCleanup',
  SelectSession = 'headroom.selectSession',
  CompareRecording = 'headroom.compareRecording',
  ExportCsv = 'headroom.exportCsv',
  InstallPythonClient = 'headroom.installPythonClient',
  MonitorNotebookKernel = 'headroom.monitorNotebookKernel',
  /** The Headroom view's item actions: each takes the row it was clicked on. */
  SessionsOpenTimeline = 'headroom.sessions.openTimeline',
  SessionsStop = 'headroom.sessions.stop',
  SessionsForceCleanup = 'headroom.sessions.forceCleanup',
  SessionsOpenProgram = 'headroom.sessions.openProgram',
  SessionsCompare = 'headroom.sessions.compare',
  SessionsRevealRecording = 'headroom.sessions.revealRecording',
  SessionsRefresh = 'headroom.sessions.refresh',
}
