import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { TraceApp, type TraceAppViewState } from './TraceApp';

const api = vscodeApi<TraceAppViewState>();
new TraceApp(document.getElementById('app')!, new HostConnection(api), api).start();
