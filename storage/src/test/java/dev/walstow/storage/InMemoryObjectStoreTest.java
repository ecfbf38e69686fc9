package dev.walstow.storage;

class InMemoryObjectStoreTest extends ObjectStoreContractTest {
    @Override
    protected ObjectStore newStore() {
        return new InMemoryObjectStore();
    }
}
