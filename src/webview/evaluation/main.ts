import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { EvaluationApp, type EvaluationViewState } from './EvaluationApp';

const api = vscodeApi<EvaluationViewState>();
const app = new EvaluationApp(document.getElementById('app')!, new HostConnection(api), api);
app.start();
