import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { DecodingLabApp } from './DecodingLabApp';
import type { LabViewState } from '../../shared/protocols/decodingLab';

const api = vscodeApi<LabViewState>();
new DecodingLabApp(document.getElementById('app')!, new HostConnection(api), api).start();
