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
}
