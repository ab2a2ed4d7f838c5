import { describeEventStoreDb } from '@pcp/testing';
import { eventStoreContract } from '../event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

describeEventStoreDb('EventStoreDB adapter', (url) => {
  eventStoreContract('EventStoreDB', async () => EventStoreDbEventStore.connect(url));
});
