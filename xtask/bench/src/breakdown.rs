//! `bench breakdown [ROUNDS]`: where our calls of the other protocol
//! families spend their time, stage by stage, timed as the rows are
//! ([`timing::compare`], interleaved, medians):
//!
//! - `serialize`: the operation's sans-IO `serialize_request` of the input;
//! - `serialize_sign`: that, the endpoint's URL and the user-agent headers
//!   the call sets, and SigV4 with one `Signer` (its derived key cached,
//!   as in a client);
//! - `parse`: the sans-IO `parse_response` of the canned response;
//! - `call`: the whole call, as the row times it.
//!
//! What the call costs beyond `serialize_sign` and `parse` is the client
//! around them: the fluent builder and the input, the endpoint and
//! credentials lookups, the retry loop, `block_on` and the transport.

use std::hint::black_box;
use std::time::SystemTime;

use sdk_runtime::operation::Operation;
use sdk_runtime::sigv4::{Signer, SigningParams, SigningSettings};
use sdk_runtime::testing::ReplayClient;
use sdk_runtime::transport::{HttpRequest, HttpResponse};
use sdk_runtime::Credentials;

use crate::families;
use crate::fixtures::{ACCESS_KEY, REGION, SECRET_KEY};
use crate::ours;
use crate::timing::{self, Subject};

/// One family's operation, ready to be taken apart.
struct Case<O: Operation> {
    name: &'static str,
    input: O::Input,
    url: &'static str,
    service: &'static str,
    /// The headers the client adds before signing (user agents), as a real
    /// call sent them.
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    response: HttpResponse,
}

impl<O: Operation> Case<O> {
    fn new(
        name: &'static str,
        input: O::Input,
        url: &'static str,
        service: &'static str,
        sent: &HttpRequest,
        response: HttpResponse,
    ) -> Self {
        let headers = sent
            .headers()
            .iter()
            .filter(|(name, _)| *name == "user-agent" || *name == "x-amz-user-agent")
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Self {
            name,
            input,
            url,
            service,
            headers,
            response,
        }
    }

    fn serialize(&self) -> HttpRequest {
        O::serialize_request(&self.input).expect("the input serializes")
    }

    fn serialize_sign(&self, signer: &Signer, credentials: &Credentials) -> HttpRequest {
        let mut request = self.serialize();
        *request.uri_mut() = self.url.parse().expect("a URL");
        for (name, value) in &self.headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        let params = SigningParams {
            credentials,
            region: REGION,
            service: self.service,
            time: SystemTime::now(),
            settings: SigningSettings::default(),
        };
        signer.sign(&mut request, &params).expect("signed");
        request
    }

    fn subjects<'a>(
        &'a self,
        signer: &'a Signer,
        credentials: &'a Credentials,
        call: impl FnMut() + 'a,
    ) -> Vec<Subject<'a>> {
        let name = |stage: &str| format!("{}.{stage}", self.name);
        vec![
            Subject::new(name("serialize"), move || drop(black_box(self.serialize()))),
            Subject::new(name("serialize_sign"), move || {
                drop(black_box(self.serialize_sign(signer, credentials)))
            }),
            Subject::new(name("parse"), move || {
                drop(black_box(O::parse_response(black_box(&self.response))))
            }),
            Subject::new(name("call"), call),
        ]
    }
}

/// The request a real call sends, through a [`ReplayClient`].
fn sent(call: impl FnOnce(ReplayClient), response: HttpResponse) -> HttpRequest {
    let replay = ReplayClient::new();
    replay.push(response);
    call(replay.clone());
    replay.requests().remove(0)
}

/// Prints `family.stage median` lines.
pub fn run(rounds: usize) {
    use dynamodb::operation::get_item::{GetItem, GetItemInput};
    use s3::operation::get_object::{GetObject, GetObjectInput};
    use sts::operation::assume_role::{AssumeRole, AssumeRoleInput};

    let dynamodb_response =
        || ours::response_with(families::get_item_body(), families::DYNAMODB_HEADERS);
    let sts_response = || ours::response_with(families::assume_role_body(), families::STS_HEADERS);
    let s3_response = || ours::response_with(families::object_body(), families::S3_HEADERS);

    let get_item = Case::<GetItem>::new(
        "getitem",
        GetItemInput::builder()
            .table_name(families::TABLE)
            .key(
                "id",
                dynamodb::types::AttributeValue::builder()
                    .s(families::KEY)
                    .build(),
            )
            .consistent_read(true)
            .build()
            .expect("a GetItem input"),
        "https://dynamodb.us-east-1.amazonaws.com/",
        "dynamodb",
        &sent(
            |replay| drop(families::our_get_item(&families::our_dynamodb_with(replay))),
            dynamodb_response(),
        ),
        dynamodb_response(),
    );
    let assume_role = Case::<AssumeRole>::new(
        "assumerole",
        AssumeRoleInput::builder()
            .role_arn(families::ROLE_ARN)
            .role_session_name(families::SESSION)
            .duration_seconds(3600)
            .build()
            .expect("an AssumeRole input"),
        "https://sts.us-east-1.amazonaws.com/",
        "sts",
        &sent(
            |replay| drop(families::our_assume_role(&families::our_sts_with(replay))),
            sts_response(),
        ),
        sts_response(),
    );
    let get_object = Case::<GetObject>::new(
        "getobject",
        GetObjectInput::builder()
            .bucket(families::BUCKET)
            .key(families::OBJECT_KEY)
            .build()
            .expect("a GetObject input"),
        // The rules place the bucket (path style); the sans-IO request has
        // the key alone.
        "https://s3.us-east-1.amazonaws.com/fleet-firmware/sensors/v2/config-0017.bin",
        "s3",
        &sent(
            |replay| drop(families::our_get_object(&families::our_s3_with(replay))),
            s3_response(),
        ),
        s3_response(),
    );

    let signer = Signer::new();
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, None);
    let (dynamodb, sts, s3) = (
        families::our_dynamodb(),
        families::our_sts(),
        families::our_s3(),
    );
    println!("rounds {rounds}");
    for mut subjects in [
        get_item.subjects(&signer, &credentials, || {
            drop(black_box(families::our_get_item(&dynamodb)))
        }),
        assume_role.subjects(&signer, &credentials, || {
            drop(black_box(families::our_assume_role(&sts)))
        }),
        get_object.subjects(&signer, &credentials, || {
            drop(black_box(families::our_get_object(&s3)))
        }),
    ] {
        let medians = timing::compare(&mut subjects, rounds);
        for (subject, median) in subjects.iter().zip(medians) {
            println!("{} {median:e}", subject.name);
        }
    }
}
