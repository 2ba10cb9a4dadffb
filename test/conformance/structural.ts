export * from '../../src/schema/structural';
