package dev.walstow.storage;

class InMemoryObjectStoreTest extends ObjectStoreContractTest {
    @Override
    protected ObjectStore newStore() {
        return new InMemoryObjectStore();
    }

    @Override
    protected boolean listsStoredTimes() {
        return true;
    }
}
