import * as vscode from 'vscode';
import { CommandId } from '../commands';
import { Disposable } from '../util/dispose';

/** The status-bar entry. With nothing monitored it reads `Headroom` and costs nothing. */
export class StatusBarController extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor() {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('headroom.status', vscode.StatusBarAlignment.Left, 100));
    this.item.name = 'Headroom';
    this.showIdle();
    this.item.show();
  }

  showIdle(): void {
    this.item.text = '$(pulse) Headroom';
    this.item.tooltip = 'Headroom: nothing monitored. Click to open the timeline.';
    this.item.command = CommandId.ShowTimeline;
    this.item.backgroundColor = undefined;
    this.item.accessibilityInformation = { label: 'Headroom: nothing monitored', role: 'button' };
  }
}
