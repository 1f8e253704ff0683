/** Every command id Headroom contributes; package.json's `contributes.commands` must match. */
export const enum CommandId {
  ShowTimeline = 'headroom.showTimeline',
  ShowLog = 'headroom.showLog',
}
