import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { AttentionApp } from './AttentionApp';
import type { ViewState } from '../../shared/protocols/attention';

const api = vscodeApi<ViewState>();
const app = new AttentionApp(document.getElementById('app')!, new HostConnection(api), api);
app.start();
