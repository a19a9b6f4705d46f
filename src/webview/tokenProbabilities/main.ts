import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { ProbabilitiesApp } from './ProbabilitiesApp';
import type { ViewState } from '../../shared/protocols/tokenProbabilities';

const api = vscodeApi<ViewState>();
const app = new ProbabilitiesApp(document.getElementById('app')!, new HostConnection(api), api);
app.start();
