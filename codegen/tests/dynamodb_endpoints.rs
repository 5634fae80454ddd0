//! Endpoints of the generated DynamoDB client resolved per call: the
//! operations' context parameters (`contextParam` on `TableName`,
//! `operationContextParams` paths of `BatchGetItem` and
//! `TransactWriteItems`) and the credentials' account id
//! (`AWS::Auth::AccountId`, `AWS::Auth::AccountIdEndpointMode`) change the
//! URL a request goes to, as DynamoDB's rule set says.

use std::collections::HashMap;

use dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem};
use dynamodb::{Client, Config, Credentials};
use sdk_runtime::endpoint::AccountIdEndpointMode;
use sdk_runtime::env::Env;
use sdk_runtime::testing::{response, ReplayClient};

const TABLE_ARN: &str = "arn:aws:dynamodb:us-east-1:222222222222:table/things";
const OTHER_ARN: &str = "arn:aws:dynamodb:us-east-1:333333333333:table/other";

fn config(replay: &ReplayClient, credentials: Credentials) -> dynamodb::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(credentials)
        .http_client(replay.clone())
}

fn keys() -> HashMap<String, AttributeValue> {
    HashMap::from([("id".to_owned(), AttributeValue::builder().s("k").build())])
}

/// The URL `GetItem` of `table` is sent to.
fn get_item_url(client: &Client, replay: &ReplayClient, table: &str) -> String {
    replay.push(response(200, &[], "{}"));
    client
        .get_item()
        .table_name(table)
        .set_key(Some(keys()))
        .send_blocking()
        .unwrap();
    replay.last_request().unwrap().uri().to_string()
}

/// The URL `ListTables` (no context parameters) is sent to.
fn list_tables_url(client: &Client, replay: &ReplayClient) -> Result<String, String> {
    replay.push(response(200, &[], "{}"));
    client
        .list_tables()
        .send_blocking()
        .map_err(|e| format!("{e}: {}", std::error::Error::source(&e).unwrap()))?;
    Ok(replay.last_request().unwrap().uri().to_string())
}

#[test]
fn a_table_arn_routes_its_call_to_the_account_endpoint_per_call() {
    let replay = ReplayClient::new();
    let client =
        Client::from_conf(config(&replay, Credentials::new("AKID", "SECRET", None)).build());
    assert_eq!(
        get_item_url(&client, &replay, "things"),
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        get_item_url(&client, &replay, TABLE_ARN),
        "https://222222222222.ddb.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        get_item_url(&client, &replay, OTHER_ARN),
        "https://333333333333.ddb.us-east-1.amazonaws.com/"
    );
    // The same client's other calls are not affected.
    assert_eq!(
        list_tables_url(&client, &replay).unwrap(),
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        get_item_url(&client, &replay, "things"),
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
}

#[test]
fn operation_context_paths_bind_the_first_table_of_a_batch_or_a_transaction() {
    let replay = ReplayClient::new();
    let client =
        Client::from_conf(config(&replay, Credentials::new("AKID", "SECRET", None)).build());
    let wanted = KeysAndAttributes::builder().keys(keys()).build().unwrap();
    // `keys(RequestItems)`, in sorted order.
    replay.push(response(200, &[], "{}"));
    client
        .batch_get_item()
        .request_items(OTHER_ARN, wanted.clone())
        .request_items(TABLE_ARN, wanted)
        .send_blocking()
        .unwrap();
    assert_eq!(
        replay.last_request().unwrap().uri().to_string(),
        "https://222222222222.ddb.us-east-1.amazonaws.com/"
    );
    // `TransactItems[*].[ConditionCheck.TableName, Put.TableName, ...][]`.
    let put = Put::builder()
        .table_name(OTHER_ARN)
        .set_item(Some(keys()))
        .build()
        .unwrap();
    replay.push(response(200, &[], "{}"));
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .send_blocking()
        .unwrap();
    assert_eq!(
        replay.last_request().unwrap().uri().to_string(),
        "https://333333333333.ddb.us-east-1.amazonaws.com/"
    );
}

#[test]
fn the_credentials_account_id_gives_the_account_endpoint_as_the_mode_says() {
    let replay = ReplayClient::new();
    let with_account =
        Credentials::new("AKID", "SECRET", None).with_account_id(Some("111111111111".to_owned()));
    let client = Client::from_conf(config(&replay, with_account.clone()).build());
    assert_eq!(
        list_tables_url(&client, &replay).unwrap(),
        "https://111111111111.ddb.us-east-1.amazonaws.com/"
    );
    // A table's ARN says which account, over the credentials'.
    assert_eq!(
        get_item_url(&client, &replay, TABLE_ARN),
        "https://222222222222.ddb.us-east-1.amazonaws.com/"
    );
    let disabled = Client::from_conf(
        config(&replay, with_account)
            .account_id_endpoint_mode(AccountIdEndpointMode::Disabled)
            .build(),
    );
    assert_eq!(
        list_tables_url(&disabled, &replay).unwrap(),
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        get_item_url(&disabled, &replay, TABLE_ARN),
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
    let required = Client::from_conf(
        config(&replay, Credentials::new("AKID", "SECRET", None))
            .account_id_endpoint_mode(AccountIdEndpointMode::Required)
            .build(),
    );
    let err = list_tables_url(&required, &replay).unwrap_err();
    assert!(
        err.contains("AccountIdEndpointMode is required but no AccountID was provided"),
        "{err}"
    );
}

#[test]
fn the_account_id_and_its_mode_come_from_the_environment() {
    let replay = ReplayClient::new();
    let env = |mode: &'static str| {
        Env::from_pairs([
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_ACCOUNT_ID", "444444444444"),
            ("AWS_ACCOUNT_ID_ENDPOINT_MODE", mode),
        ])
    };
    let from_env = |mode| {
        Client::from_conf(
            Config::from_env_with(env(mode))
                .http_client(replay.clone())
                .build(),
        )
    };
    assert_eq!(
        list_tables_url(&from_env("preferred"), &replay).unwrap(),
        "https://444444444444.ddb.eu-west-1.amazonaws.com/"
    );
    assert_eq!(
        list_tables_url(&from_env("disabled"), &replay).unwrap(),
        "https://dynamodb.eu-west-1.amazonaws.com/"
    );
    // A configured endpoint URL is the rules' `Endpoint`: it wins.
    let local = Client::from_conf(
        Config::from_env_with(env("preferred"))
            .endpoint_url("http://127.0.0.1:8000")
            .http_client(replay.clone())
            .build(),
    );
    assert_eq!(
        list_tables_url(&local, &replay).unwrap(),
        "http://127.0.0.1:8000/"
    );
}

#[test]
fn a_missing_region_is_named_before_the_credentials_are_sought() {
    let replay = ReplayClient::new();
    let client = Client::from_conf(Config::builder().http_client(replay.clone()).build());
    let err = list_tables_url(&client, &replay).unwrap_err();
    assert!(err.contains("no region is configured"), "{err}");
    assert!(replay.requests().is_empty());
}
