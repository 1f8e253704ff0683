import type { HostToWebview, WebviewToHost } from '../shared/webviewMessages';

const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost): void => vscode.postMessage(m);
const app = document.getElementById('app') as HTMLElement;

function renderEmpty(title: string): void {
  app.replaceChildren();
  const h = document.createElement('h1');
  h.textContent = title;
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = 'No monitoring session yet. Run or debug a program to see its memory here.';
  app.append(h, p);
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      renderEmpty(m.title);
      break;
  }
});

post({ type: 'ready' });
