import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { PlaygroundApp, type PlaygroundViewState } from './PlaygroundApp';

const api = vscodeApi<PlaygroundViewState>();
const app = new PlaygroundApp(document.getElementById('app')!, new HostConnection(api), api);
app.start();
